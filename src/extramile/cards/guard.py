"""The personalisation guard: a card is ready only when it says something about its recipient.

The rule, in one place:

1. The *personal part* of a message is what is in it beyond the template's draft (a word-level
   difference), with the recipient's names removed. Accepting the draft unchanged leaves nothing.
2. Generic praise and season's greetings never count ("Thanks for being a great customer",
   "Merry Christmas"): the phrases of every language's data file (``lang/*.toml``, ``[guard]``)
   are taken out first.
3. What is left must mention something of *this recipient's*: a word of their notes and tags, a
   relative's name ("their daughter Mia"), something they bought, a key date's name.
4. It must not mention another customer of the rep's book: a name of theirs (a customer, a pet or
   a place written in their notes) that is not this recipient's, or three or more words of one of
   their notes that are not this recipient's.
5. It must not be a near-copy of the personal part of another of the rep's cards, of any occasion:
   the same mail-by week, or the last 12 months (``NEAR_COPY`` alike as text *and* in its words,
   so two lines from one pattern about different things are not copies, a pasted card is).

The verdict names what made it pass ("mentions their daughter Mia") or what made it fail. A
handwritten card passes: the rep's pen is personal by nature. Overrides need a reason and are
counted (``Card.override_reason``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.db.models import Q

from extramile.book.family import relatives
from extramile.book.models import Customer, Fact, KeyDate, Sale
from extramile.cards import language
from extramile.cards.models import Card, CardStatus

NEAR_COPY = 0.8
HISTORY = dt.timedelta(days=365)
FOREIGN_WORDS = 3
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
SENTENCES = re.compile(r"(?<=[.!?:;])\s+|\n+")
CALLED = {
    "called",
    "named",
    "namens",
    "genannt",
    "appelé",
    "appelée",
    "nommé",
    "llamado",
    "llamada",
}
PEOPLE = {"spouse / partner": "partner", "child's spouse": "child's partner"}


def words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in WORD.findall(text)]


def stem(word: str) -> str:
    """A crude stem so “sails”, “sailing” and “sailed” meet."""
    for suffix in ("ing", "ed", "es", "s", "en", "er", "e"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def meaningful(text: str) -> set[str]:
    stop = language.all_stopwords()
    return {stem(w) for w in words(text) if len(w) >= 3 and w not in stop and not w.isdigit()}


def proper_words(text: str) -> set[str]:
    """Capitalised words that are not the first of a sentence: names (Mia, Biscuit, Lisbon)."""
    found: set[str] = set()
    for sentence in SENTENCES.split(text):
        tokens = WORD.findall(sentence)
        found |= {t.lower() for t in tokens[1:] if t[:1].isupper() and not t.isupper()}
    return found


def personal_part(message: str, draft: str, names: set[str]) -> str:
    """The words of ``message`` that are not in ``draft``, without the recipient's names."""
    said = words(message)
    matcher = SequenceMatcher(None, words(draft), said, autojunk=False)
    own: list[str] = []
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in {"insert", "replace"}:
            own.extend(said[j1:j2])
    return " ".join(w for w in own if w not in names)


def without_generic(personal: str) -> str:
    """The personal part without generic praise and greetings (every language's phrases)."""
    text = f" {personal} "
    for phrase in language.all_generic():
        text = text.replace(f" {' '.join(words(phrase))} ", " ")
    return " ".join(text.split())


@dataclass
class Recipient:
    """What the guard knows about a card's recipient: stems of their things, each with how to
    name it in a verdict ("their daughter Mia", "sailing, from their notes")."""

    names: set[str] = field(default_factory=set)
    things: dict[str, str] = field(default_factory=dict)
    proper: set[str] = field(default_factory=set)

    @property
    def specifics(self) -> set[str]:
        return set(self.things)


@dataclass
class Book:
    """The rep's other customers, for "this is about someone else": their names and the proper
    words of their notes (by whose they are), and each of their notes' words."""

    proper: dict[str, str] = field(default_factory=dict)
    notes: list[tuple[str, str, set[str]]] = field(default_factory=list)


def _family_names(text: str, lang_words: frozenset[str]) -> dict[str, str]:
    """ "Daughter Mia started college" → {"mia": "their daughter Mia"}."""
    found: dict[str, str] = {}
    tokens = WORD.findall(text)
    for i, token in enumerate(tokens[:-1]):
        following = tokens[i + 1]
        if following.lower() in CALLED and i + 2 < len(tokens):
            following = tokens[i + 2]
        if token.lower() in lang_words and following[:1].isupper():
            found[following.lower()] = f"their {token.lower()} {following}"
    return found


def recipient_of(card: Card, people: list[Customer]) -> Recipient:
    names: set[str] = set()
    for person in people:
        for text in (person.first_name, person.last_name, person.preferred_name):
            names.update(words(text))
    if card.household_id and card.household is not None:
        names.update(words(card.household.name))
    things: dict[str, str] = {}
    proper: set[str] = set()
    family_words = frozenset(w for lang in language.languages().values() for w in lang.family_words)
    for text, tags in Fact.objects.filter(customer__in=people).values_list("text", "tags"):
        short = text if len(text) <= 40 else text[:39] + "…"
        for word in meaningful(f"{text} {tags}"):
            things.setdefault(word, f"{{word}} (their note “{short}”)")
        for word, label in _family_names(text, family_words).items():
            things[stem(word)] = label
        proper |= proper_words(text)
    for (description,) in Sale.objects.filter(customer__in=people).values_list("description"):
        for word in meaningful(description):
            things.setdefault(word, f"{{word}} (they bought {description})")
    for (label,) in KeyDate.objects.filter(customer__in=people).values_list("label"):
        for word in meaningful(label):
            things.setdefault(word, f"{{word}} (their {label})")
    for relative in relatives(people[0]):
        if relative.customer not in people:
            name = relative.customer.preferred_name or relative.customer.first_name
            for word in {*words(relative.customer.first_name), *words(name)}:
                if len(word) >= 2:
                    label = PEOPLE.get(relative.label, relative.label)
                    things[stem(word)] = f"their {label} {name}"
                    proper.add(word)
    for name in names:
        things.pop(stem(name), None)
    return Recipient(names=names, things=things, proper=proper)


def book_of(card: Card, people: list[Customer], recipient: Recipient) -> Book:
    """The rep's other customers (not the recipient, their household or their relatives)."""
    mine = {p.pk for p in people} | {r.customer.pk for r in relatives(people[0])}
    others = Customer.objects.filter(owner_id=card.owner_id).exclude(pk__in=mine)
    if card.household_id:
        others = others.exclude(household_id=card.household_id)
    rep = set(words(f"{card.owner.first_name} {card.owner.last_name}"))
    skip = recipient.names | recipient.proper | rep | language.all_stopwords()
    skip |= language.all_calendar()
    book = Book()
    full_names: dict[int, str] = {}
    for pk, first, last, preferred in others.values_list(
        "pk", "first_name", "last_name", "preferred_name"
    ):
        full_names[pk] = f"{first} {last}".strip()
        for word in {*words(first), *words(preferred)}:
            if len(word) >= 3 and word not in skip:
                book.proper.setdefault(word, full_names[pk])
    facts = Fact.objects.filter(customer__in=others).values_list("customer_id", "text", "tags")
    for customer_id, text, tags in facts:
        whose = full_names.get(customer_id, "another customer")
        for word in proper_words(text):
            if len(word) >= 3 and word not in skip:
                book.proper.setdefault(word, whose)
        book.notes.append((whose, text, meaningful(f"{text} {tags}")))
    return book


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""
    personal: str = ""
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Earlier:
    """Another card of the rep's, for the near-copy check."""

    recipient: str
    occasion: str
    mail_by: dt.date
    personal: str


def earlier_cards(card: Card) -> list[Earlier]:
    """The rep's other cards with a personal part, of any occasion: the same mail-by week and the
    twelve months before it."""
    monday = card.mail_by - dt.timedelta(days=card.mail_by.weekday())
    rows = (
        Card.objects.filter(
            owner_id=card.owner_id,
            mail_by__gte=card.mail_by - HISTORY,
            mail_by__lt=monday + dt.timedelta(days=7),
            handwritten=False,
        )
        .exclude(pk=card.pk)
        .exclude(status=CardStatus.SKIPPED)
        .exclude(personal="")
        .filter(Q(status__in=[CardStatus.WRITTEN, CardStatus.MAILED]) | Q(mail_by__gte=monday))
        .values_list(
            "customer__first_name",
            "customer__last_name",
            "household__name",
            "occasion__name",
            "mail_by",
            "personal",
        )
    )
    return [
        Earlier(household or f"{first} {last}".strip(), occasion, mail_by, personal)
        for first, last, household, occasion, mail_by, personal in rows
    ]


def near_copy(personal: str, others: list[Earlier]) -> tuple[Earlier, float] | None:
    mine = meaningful(personal)
    for other in others:
        matcher = SequenceMatcher(None, personal, other.personal, autojunk=False)
        if matcher.real_quick_ratio() < NEAR_COPY or matcher.quick_ratio() < NEAR_COPY:
            continue
        ratio = matcher.ratio()
        theirs = meaningful(other.personal)
        alike = len(mine & theirs) / len(mine | theirs) if mine | theirs else 1.0
        if ratio >= NEAR_COPY and alike >= NEAR_COPY:
            return other, ratio
    return None


def _someone_else(remainder: str, capitalised: set[str], recipient: Recipient, book: Book) -> str:
    """Why the words look like another customer's, or ""."""
    said = set(remainder.split())
    for word in sorted(said & capitalised):
        if word in book.proper and stem(word) not in recipient.things:
            return f"it mentions {word.capitalize()}, who belongs with {book.proper[word]}"
    stems = {stem(w) for w in said}
    for whose, text, note in book.notes:
        shared = stems & note
        if len(shared) >= FOREIGN_WORDS and len(shared - recipient.specifics) >= FOREIGN_WORDS:
            return f"it repeats the note “{text[:60]}” about {whose}"
    return ""


def judge(
    message: str,
    draft: str,
    recipient: Recipient,
    others: list[Earlier],
    first_name: str,
    book: Book | None = None,
) -> Verdict:
    """Whether ``message`` may go out; what it mentions, or the reason when not."""
    if not message.strip():
        return Verdict(False, "The message is empty: write it, or mark the card handwritten.")
    personal = personal_part(message, draft, recipient.names)
    if not personal:
        return Verdict(
            False,
            f"It is the template's draft with nothing added: say something meant for {first_name} "
            "(the suggestions are a start).",
        )
    remainder = without_generic(personal)
    found: dict[str, str] = {}
    for word in remainder.split():
        label = recipient.things.get(stem(word))
        if label:
            found.setdefault(label, label.replace("{word}", word))
    mentions = tuple(found.values())
    foreign = _someone_else(remainder, proper_words(message), recipient, book or Book())
    if foreign:
        return Verdict(
            False,
            f"It is about someone else: {foreign}, not {first_name}. Write about {first_name}.",
            personal,
            mentions,
        )
    if not mentions:
        content = [w for w in remainder.split() if w not in language.all_stopwords()]
        said = (
            f"It has only greetings and praise any customer could get, nothing about {first_name}"
            if not content
            else f"Nothing in it is about {first_name} (generic praise and greetings do not count)"
        )
        return Verdict(
            False,
            f"{said}. Mention something of theirs: a note on their page, their family, what they "
            "bought, a date that matters to them (add what you know to their page first).",
            personal,
        )
    copy = near_copy(personal, others)
    if copy is not None:
        other, ratio = copy
        return Verdict(
            False,
            f"It is a near-copy ({ratio:.0%} alike once names are removed) of your "
            f"{other.occasion} card for {other.recipient} (mail by {other.mail_by:%d %b %Y}): "
            f"make it {first_name}'s own.",
            personal,
            mentions,
        )
    return Verdict(True, "It mentions " + "; ".join(mentions) + ".", personal, mentions)
