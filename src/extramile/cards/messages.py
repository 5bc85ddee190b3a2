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
from extramile.cards.models import Card, CardTemplate, Occasion, Source

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


def join_names(names: list[str]) -> str:
    names = [n for n in names if n]
    if len(names) <= 1:
        return names[0] if names else ""
    return ", ".join(names[:-1]) + " and " + names[-1]


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
        "preferred_name": join_names(first_names) or person.full_name,
        "first_name": join_names([p.first_name for p in people]),
        "last_name": person.last_name,
        "recipient": card.recipient_name,
        "household_name": household_name,
        "occasion": card.occasion.name,
        "year": str(card.year),
        "age": anniversary_years(card, person) if card.occasion.source == Source.BIRTHDAY else "",
        "years": anniversary_years(card, person),
        "years_as_customer": years_between(since, card.occasion_on),
        "last_purchase": last_sale.description if last_sale else "",
        "purchase": join_names(purchases(card)),
        "rep_name": rep.get_full_name() or rep.username,
        "rep_first_name": rep.first_name or rep.username,
        "company": Company.get().name,
    }


def purchases(card: Card) -> list[str]:
    """What a thank-you note thanks for: the recipient's sales on the note's day, first first.
    Empty for other cards."""
    if not card.occasion.is_thank_you:
        return []
    sales = Sale.objects.filter(customer_id=card.customer_id, date=card.occasion_on)
    return list(sales.order_by("id").values_list("description", flat=True))


def template_for(occasion: Occasion, user: User) -> str:
    """The rep's own wording for this occasion if they have one, else the company's."""
    own = CardTemplate.objects.filter(occasion=occasion, user=user).values_list("text", flat=True)
    return own.first() or occasion.template or "Dear {preferred_name},\n\n"


def draft(card: Card) -> str:
    return render(template_for(card.occasion, card.owner), card_fields(card))


@dataclass(frozen=True)
class Suggestion:
    about: str  # what it draws on, as the rep wrote it: “Sails a small boat on weekends”
    line: str  # a starting line to put in the card and make one's own


# A starting line per kind of fact: with the fact's first tag where one reads well, else the fact.
WITH_TAG = {
    FactCategory.HOBBY: "I hope you still find time for {tag}.",
    FactCategory.WORK: "I hope work in {tag} is treating you well.",
    FactCategory.VEHICLE: "I hope the car is still treating you well.",
}
WITH_TEXT = {
    FactCategory.HOBBY: "I hope you still find time for this: {text}.",
    FactCategory.LIFE_EVENT: "I was so glad to hear your news: {text}.",
    FactCategory.WORK: "I hope all is going well at work: {text}.",
    FactCategory.FAMILY: "Please give my best to everyone at home: {text}.",
}
GENERIC_TAGS = {"interest", "industry", "pets"}


def fact_line(fact: Fact) -> str:
    """A starting line drawn from a fact, for the rep to make their own."""
    category = FactCategory(fact.category)
    tags = [t for t in fact.tag_list if t not in GENERIC_TAGS]
    if category in WITH_TAG and (tags or "{tag}" not in WITH_TAG[category]):
        return WITH_TAG[category].format(tag=tags[0] if tags else "")
    text = fact.text.strip().rstrip(".")
    text = text[:1].lower() + text[1:]
    return WITH_TEXT.get(category, "I remember you telling me: {text}.").format(text=text)


def suggestions(card: Card, now: dt.datetime) -> list[Suggestion]:
    """Personal lines to choose from: pinned facts, life events and recent facts first, then family
    and the last purchase."""
    people = members(card)
    found: list[Suggestion] = []
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
    for fact in chosen[:4]:
        found.append(Suggestion(fact.text, fact_line(fact)))
    family = [r.customer for r in relatives(people[0]) if r.label not in NOT_FAMILY]
    others = [c for c in family if c not in people][:3]
    if others:
        names = join_names([c.preferred_name or c.first_name for c in others])
        found.append(Suggestion(f"Family: {names}", f"Please give my love to {names}."))
    last_sale = Sale.objects.filter(customer__in=people).order_by("-date", "-id").first()
    if last_sale:
        found.append(
            Suggestion(
                f"Bought {last_sale.description} on {last_sale.date:%d %b %Y}",
                f"I hope the {last_sale.description} is serving you well — "
                "call me any time it needs attention.",
            )
        )
    return found[:MAX_SUGGESTIONS]
