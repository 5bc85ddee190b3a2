"""A card's words: the fields a template may use, the draft, and the personal lines to suggest.

A template is plain text with fields in braces (``Dear {preferred_name},``). It is filled from a
dictionary of plain strings and nothing else, so a template written by a user can reach only those
fields: no attributes, no code, no other customer.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from extramile.accounts.models import Company, User
from extramile.book.family import relatives
from extramile.book.models import Customer, Fact, FactCategory, KeyDate, KeyDateKind, Sale
from extramile.cards import language, writing
from extramile.cards.models import Card, CardBranding, CardTemplate, MonthlyTheme, Occasion, Source

FIELD = re.compile(r"\{([^{}]*)\}")

FIELDS = {
    "preferred_name": "How they like to be greeted (“Anna and Ben” on a household card)",
    "first_name": "First name (first names on a household card)",
    "last_name": "Last name",
    "recipient": "The name on the envelope",
    "household_name": "The household's name, e.g. The Smith Family",
    "occasion": "The occasion, e.g. Christmas",
    "year": "The occasion's year",
    "age": "The age they turn (birthday cards with a known year)",
    "years": "How many years the anniversary marks",
    "years_as_customer": "Whole years since they became a customer",
    "last_purchase": "What they bought last",
    "purchase": "What they bought that day (thank-you notes: every sale of the day)",
    "rep_name": "Your full name",
    "rep_first_name": "Your first name",
    "company": "The company's name",
    "theme": "The month's line (the monthly card)",
}

NOT_FAMILY = {"colleague", "other"}
# Recent facts are suggested even when not pinned.
RECENT = dt.timedelta(days=365)
MAX_SUGGESTIONS = 6


def check_template(text: str) -> str | None:
    """An error message for a template that uses unknown fields or stray braces, else None."""
    unknown = sorted({name for name in FIELD.findall(text) if name not in FIELDS})
    if unknown:
        listed = ", ".join("{" + name + "}" for name in unknown)
        return f"Unknown field {listed}. Fields: " + ", ".join("{" + f + "}" for f in FIELDS) + "."
    if "{" in FIELD.sub("", text) or "}" in FIELD.sub("", text):
        return "A brace is not closed: write fields as {preferred_name}."
    return None


def render(template: str, fields: dict[str, str]) -> str:
    """Fill the fields; an empty field leaves no double space or space before punctuation."""
    text = FIELD.sub(lambda m: fields.get(m.group(1), ""), template)
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r" +([,.!?;:])", r"\1", text)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def join_names(names: list[str], lang: language.Language | None = None) -> str:
    return (lang or language.get("en")).join(names)


def company_language() -> str:
    return CardBranding.get().language


def card_language(card: Card, company: str | None = None) -> language.Language:
    """The recipient's language when there is wording for it, else the company's, else English."""
    company = company if company is not None else company_language()
    return language.get(card.customer.language, company)


def addressee(card: Card, people: list[Customer] | None = None) -> str:
    """The name on the envelope. A wedding anniversary goes to the couple ("Ben and Anna Bauer",
    or "Ben Bauer and Anna Klein"); other household cards to the household ("The Bauer Family");
    a personal card to the person."""
    if card.household_id is None:
        return card.customer.full_name
    if card.occasion.source == Source.WEDDING:
        couple = (people or members(card))[:2]
        if len(couple) == 2:
            lang = card_language(card)
            first = [p.preferred_name or p.first_name for p in couple]
            if couple[0].last_name == couple[1].last_name:
                return f"{lang.join(first)} {couple[0].last_name}".strip()
            return lang.join(
                [f"{f} {p.last_name}".strip() for f, p in zip(first, couple, strict=True)]
            )
    return card.recipient_name


def members(card: Card) -> list[Customer]:
    """The people a card is for: the household's members who get post, or the one person."""
    if card.household_id is None:
        return [card.customer]
    people = list(
        Customer.objects.filter(household_id=card.household_id, do_not_mail=False)
        .exclude(status="former")
        .order_by("birth_year", "id")
    )
    adults = [p for p in people if p.birth_year is None or card.year - p.birth_year >= 18]
    return (adults or people or [card.customer])[:4]


def years_between(start: dt.date | None, on: dt.date) -> str:
    if start is None or start >= on:
        return ""
    years = on.year - start.year - ((on.month, on.day) < (start.month, start.day))
    return str(years) if years > 0 else ""


def anniversary_years(card: Card, person: Customer) -> str:
    source = card.occasion.source
    on = card.occasion_on
    if source == Source.BIRTHDAY and person.birth_year:
        return str(on.year - person.birth_year)
    if source == Source.CUSTOMER_SINCE and person.customer_since:
        return str(on.year - person.customer_since.year)
    kinds: dict[str, str] = {
        Source.WEDDING: KeyDateKind.WEDDING,
        Source.PURCHASE: KeyDateKind.PURCHASE,
    }
    if source in kinds:
        ids = [p.pk for p in members(card)]
        row = (
            KeyDate.objects.filter(customer_id__in=ids, kind=kinds[source], year__isnull=False)
            .filter(month=on.month)
            .values_list("year", flat=True)
            .first()
        )
        if row is None and source == Source.PURCHASE:
            sale = Sale.objects.filter(
                customer=person, date__month=on.month, date__year__lt=on.year
            ).first()
            row = sale.date.year if sale else None
        return str(on.year - row) if row else ""
    return ""


def card_fields(card: Card, rep: User | None = None) -> dict[str, str]:
    """Every field a template may use, as plain strings."""
    people = members(card)
    person = people[0]
    rep = rep or card.owner
    lang = card_language(card)
    if card.occasion.source == Source.WEDDING:
        people = people[:2]
    first_names = [p.preferred_name or p.first_name for p in people]
    since = (
        person.customer_since
        or (
            Sale.objects.filter(customer__in=people).order_by("date").values_list("date", flat=True)
        ).first()
    )
    last_sale = Sale.objects.filter(customer__in=people).order_by("-date", "-id").first()
    household_name = card.household.name if card.household_id and card.household else ""
    return {
        "preferred_name": lang.join(first_names) or person.full_name,
        "first_name": lang.join([p.first_name for p in people]),
        "last_name": person.last_name,
        "recipient": addressee(card, people),
        "household_name": household_name,
        "occasion": card.occasion.name,
        "year": str(card.year),
        "age": anniversary_years(card, person) if card.occasion.source == Source.BIRTHDAY else "",
        "years": anniversary_years(card, person),
        "years_as_customer": years_between(since, card.occasion_on),
        "last_purchase": last_sale.description if last_sale else "",
        "purchase": lang.join(purchases(card)),
        "rep_name": rep.get_full_name() or rep.username,
        "rep_first_name": rep.first_name or rep.username,
        "company": Company.get().name,
        "theme": theme_line(card),
    }


def theme_line(card: Card) -> str:
    """The monthly card's line for its month; "" for other cards."""
    if card.occasion.source != Source.MONTHLY:
        return ""
    found = MonthlyTheme.objects.filter(month=card.occasion_on.month).values_list("line", flat=True)
    return found.first() or ""


def purchases(card: Card) -> list[str]:
    """What a thank-you note thanks for: the recipient's sales on the note's day, first first.
    Empty for other cards."""
    if not card.occasion.is_thank_you:
        return []
    sales = Sale.objects.filter(customer_id=card.customer_id, date=card.occasion_on)
    return list(sales.order_by("id").values_list("description", flat=True))


def template_for(occasion: Occasion, user: User, lang: str = "", company: str = "") -> str:
    """The wording for a card in language ``lang``: the rep's own for that language, else the
    built-in wording of that language; in the company's language (or with nothing for ``lang``)
    the rep's own, else the company's."""
    company = company or company_language()
    own = dict(
        CardTemplate.objects.filter(occasion=occasion, user=user).values_list("language", "text")
    )
    lang = language.main_code(lang) or language.main_code(company)
    if lang != language.main_code(company):
        if own.get(lang):
            return own[lang]
        builtin = language.languages().get(lang)
        if builtin is not None and builtin.templates.get(occasion.code):
            return builtin.templates[occasion.code]
    return own.get("") or occasion.template or "Dear {preferred_name},\n\n"


def greeting_for(occasion: Occasion, lang: language.Language, company: str = "") -> str:
    """The card's front line in the card's language (the company's own in its language)."""
    company = company or company_language()
    if lang.code != language.main_code(company) and lang.greetings.get(occasion.code):
        return lang.greetings[occasion.code]
    return occasion.greeting or occasion.name


def draft(card: Card) -> str:
    company = company_language()
    lang = card_language(card, company)
    return render(template_for(card.occasion, card.owner, lang.code, company), card_fields(card))


@dataclass(frozen=True)
class Suggestion:
    about: str  # what it draws on, as the rep wrote it: “Sails a small boat on weekends”
    line: str  # a starting line to put in the card and make one's own


def batch_position(card: Card) -> int:
    """How many of the rep's cards of the same mail-by week come before this one: where its
    suggestions start among the patterns, so neighbouring cards read differently."""
    monday = card.mail_by - dt.timedelta(days=card.mail_by.weekday())
    return Card.objects.filter(
        owner_id=card.owner_id,
        mail_by__gte=monday,
        mail_by__lt=monday + dt.timedelta(days=7),
        pk__lt=card.pk,
    ).count()


def suggestions(card: Card, now: dt.datetime) -> list[Suggestion]:
    """Personal lines to choose from, written in the card's language: for a thank-you note the
    sale first; then pinned facts, life events and recent facts; family; the last purchase."""
    people = members(card)
    lang = card_language(card)
    seed = batch_position(card)
    found: list[Suggestion] = []
    bought = purchases(card)
    if bought:
        phrase = lang.join([writing.purchase_phrase(b, lang) for b in bought])
        line = writing.compose(lang, "thank_you", {"purchase": phrase}, seed)
        if line:
            found.append(Suggestion(f"Bought {lang.join(bought)}", line))
    facts = Fact.objects.filter(customer__in=people).order_by("-pinned", "-learned_on", "-id")
    recent = (now - RECENT).date()
    chosen = [
        f
        for f in facts
        if f.pinned
        or f.category == FactCategory.LIFE_EVENT
        or (f.learned_on and f.learned_on >= recent)
    ]
    chosen += [f for f in facts if f not in chosen]
    for index, fact in enumerate(chosen[:4]):
        line = writing.fact_line(fact.text, fact.category, fact.tag_list, lang, seed + index)
        if line:
            found.append(Suggestion(fact.text, line))
    family = [r.customer for r in relatives(people[0]) if r.label not in NOT_FAMILY]
    others = [c for c in family if c not in people][:3]
    if others:
        names = lang.join([c.preferred_name or c.first_name for c in others])
        line = writing.compose(lang, "relative", {"name": names}, seed)
        found.append(Suggestion(f"Family: {names}", line))
    last_sale = Sale.objects.filter(customer__in=people).order_by("-date", "-id").first()
    if last_sale and not bought:
        phrase = writing.purchase_phrase(last_sale.description, lang)
        line = writing.compose(lang, "purchase", {"purchase": phrase}, seed)
        if line:
            found.append(
                Suggestion(f"Bought {last_sale.description} on {last_sale.date:%d %b %Y}", line)
            )
    return found[:MAX_SUGGESTIONS]
