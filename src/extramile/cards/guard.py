"""The personalisation guard: a card is ready only when it says something meant for its recipient.

The rule, in one place:

1. The *personal part* of a message is what is in it beyond the template's draft (a word-level
   difference), with the recipient's names removed. Accepting the draft unchanged leaves nothing.
2. The personal part must mention something specific to the recipient (a word from their facts
   and tags, a family member's name, something they bought, a key date's name) or be a line of the
   rep's own of at least ``OWN_WORDS`` words.
3. It must not be a near-copy of the personal part of another card in the same batch (the rep's
   cards to be mailed the same week): ``NEAR_COPY`` or more alike once names are removed.

A handwritten card passes: the rep's pen is personal by nature. Overrides need a reason and are
counted (``Card.override_reason``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.db.models import QuerySet

from extramile.book.family import relatives
from extramile.book.models import Customer, Fact, KeyDate, Sale
from extramile.cards.models import Card, CardStatus

OWN_WORDS = 8
NEAR_COPY = 0.8
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "before",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "not",
        "now",
        "of",
        "on",
        "or",
        "our",
        "out",
        "over",
        "she",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "too",
        "up",
        "us",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "dear",
        "love",
        "best",
        "wishes",
        "warm",
        "regards",
        "happy",
        "merry",
        "new",
        "year",
        "years",
        "day",
        "days",
        "hope",
        "hoping",
        "well",
        "good",
        "great",
        "time",
        "thank",
        "thanks",
        "card",
        "all",
        "everyone",
    ]
)


def words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in WORD.findall(text)]


def stem(word: str) -> str:
    """A crude stem so “sails”, “sailing” and “sailed” meet."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def meaningful(text: str) -> set[str]:
    return {stem(w) for w in words(text) if len(w) >= 3 and w not in STOPWORDS}


def personal_part(message: str, draft: str, names: set[str]) -> str:
    """The words of ``message`` that are not in ``draft``, without the recipient's names."""
    said = words(message)
    matcher = SequenceMatcher(None, words(draft), said, autojunk=False)
    own: list[str] = []
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in {"insert", "replace"}:
            own.extend(said[j1:j2])
    return " ".join(w for w in own if w not in names)


@dataclass
class Recipient:
    """What the guard knows about a card's recipient."""

    names: set[str] = field(default_factory=set)
    specifics: set[str] = field(default_factory=set)


def recipient_of(card: Card, people: list[Customer]) -> Recipient:
    names: set[str] = set()
    for person in people:
        for text in (person.first_name, person.last_name, person.preferred_name):
            names.update(words(text))
    if card.household_id and card.household is not None:
        names.update(words(card.household.name))
    specifics: set[str] = set()
    for text, tags in Fact.objects.filter(customer__in=people).values_list("text", "tags"):
        specifics |= meaningful(f"{text} {tags}")
    for (description,) in Sale.objects.filter(customer__in=people).values_list("description"):
        specifics |= meaningful(description)
    for (label,) in KeyDate.objects.filter(customer__in=people).values_list("label"):
        specifics |= meaningful(label)
    for relative in relatives(people[0]):
        if relative.customer not in people:
            specifics |= {w for w in words(relative.customer.first_name) if len(w) >= 2}
    return Recipient(names=names, specifics=specifics - {stem(n) for n in names})


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""
    personal: str = ""
    mentions: tuple[str, ...] = ()


def batch_of(card: Card) -> QuerySet[Card]:
    """The cards the rep mails in the same week as ``card``: the batch a near-copy is looked for in."""
    monday = card.mail_by - dt.timedelta(days=card.mail_by.weekday())
    return (
        Card.objects.filter(
            owner_id=card.owner_id,
            mail_by__gte=monday,
            mail_by__lt=monday + dt.timedelta(days=7),
            handwritten=False,
        )
        .exclude(pk=card.pk)
        .exclude(status=CardStatus.SKIPPED)
        .exclude(personal="")
    )


def near_copy(personal: str, others: QuerySet[Card]) -> tuple[Card, float] | None:
    for other in others.only("id", "personal", "customer_id", "household_id"):
        matcher = SequenceMatcher(None, personal, other.personal, autojunk=False)
        if matcher.real_quick_ratio() < NEAR_COPY or matcher.quick_ratio() < NEAR_COPY:
            continue
        ratio = matcher.ratio()
        if ratio >= NEAR_COPY:
            return other, ratio
    return None


def judge(
    message: str,
    draft: str,
    recipient: Recipient,
    others: QuerySet[Card],
    first_name: str,
) -> Verdict:
    """Whether ``message`` may go out; the reason when not."""
    if not message.strip():
        return Verdict(False, "The message is empty: write it, or mark the card handwritten.")
    personal = personal_part(message, draft, recipient.names)
    mentions = tuple(sorted({w for w in personal.split() if stem(w) in recipient.specifics}))
    own = [w for w in personal.split() if w not in STOPWORDS]
    if not personal:
        return Verdict(
            False,
            f"It is the template's draft with nothing added: say something meant for {first_name} "
            "(the suggestions are a start).",
        )
    if not mentions and len(personal.split()) < OWN_WORDS:
        return Verdict(
            False,
            f"Nothing in it is specific to {first_name}: mention something you know about them "
            f"(a fact, their family, what they bought) or write a line of your own of "
            f"{OWN_WORDS} words or more.",
            personal,
        )
    if not mentions and not own:
        return Verdict(False, f"Nothing in it is specific to {first_name}.", personal)
    copy = near_copy(personal, others)
    if copy is not None:
        other, ratio = copy
        return Verdict(
            False,
            f"It is a near-copy ({ratio:.0%} alike once names are removed) of the card for "
            f"{other.recipient_name} in the same batch: make it {first_name}'s own.",
            personal,
            mentions,
        )
    return Verdict(True, "", personal, mentions)
