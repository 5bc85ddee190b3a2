"""Suggested personal lines, written rather than pasted.

A rep's notes are terse ("Sails a small boat on weekends", "Daughter started college", "HAS TWO
DOGS!!"). A suggestion is one sentence from the card language's patterns (``lang/*.toml``) for the
note's kind (hobby, work, vehicle, life event, family, pets, travel, other) or for a relative, a
purchase or a thank-you note, with the note's words placed where they fit:

- ``{topic}``: the note's first specific tag ("sailing");
- ``{you}`` (English): the note as a clause about the reader: "you sail a small boat on weekends";
- ``{note}``: the note itself, tidied (first sentence, no trailing punctuation, not shouting);
- ``{name}``, ``{purchase}``: a relative's name, what was bought.

A pattern is used only when all its slots can be filled. Several patterns per kind, and the card's
place in the rep's batch picks where to start, so neighbouring cards do not read alike (and do not
trip the guard's near-copy check).
"""

from __future__ import annotations

import re

from extramile.cards.language import Language

SLOT = re.compile(r"\{(\w+)\}")
GENERIC_TAGS = frozenset({"interest", "industry", "pets", "pet", "family", "other", "work"})
TRAVEL_TAGS = frozenset({"travel", "trip", "holiday", "vacation", "reise", "voyage", "viaje"})
PET_TAGS = frozenset({"pets", "pet", "dog", "cat"})
# A full stop after an initial ("J. Smith") or a title ("Dr. Rao") does not end a sentence; after
# any other word it does ("Aa. More" keeps "Aa").
SENTENCE_END = re.compile(
    r"(?<!\b[A-Z])(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bSt)(?<!\bJr)(?<!\bSr)(?<!\bMt)"
    r"([.!?…]+)\s+(?=[^\W\d_])"
)
TRAILING = re.compile(r"[\s.,;:!?…\-–—]+$")
LEADING = re.compile(r"^[\s.,;:!?…\-–—•*]+")
DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "them",
        "it",
        "his",
        "her",
        "their",
        "my",
        "our",
        "with",
        "at",
        "on",
        "in",
        "to",
        "for",
        "every",
        "some",
        "its",
    ]
)
# Verbs that follow "and" in a note ("Bakes sourdough and shares loaves"): turned with the first.
AND_VERBS = frozenset(
    [
        "shares",
        "sells",
        "enters",
        "plays",
        "loves",
        "likes",
        "enjoys",
        "runs",
        "works",
        "lives",
        "drives",
        "coaches",
        "grows",
        "keeps",
        "bakes",
        "sings",
        "follows",
        "collects",
        "teaches",
        "builds",
        "makes",
        "volunteers",
        "travels",
        "visits",
        "owns",
        "restores",
        "writes",
        "reads",
        "paints",
        "cooks",
        "fixes",
        "watches",
        "swims",
        "rides",
        "hikes",
        "fishes",
        "hunts",
    ]
)
PRONOUNS = {"his": "your", "her": "your", "their": "your", "himself": "yourself",
            "herself": "yourself", "themselves": "yourselves"}  # fmt: skip


def tidy(text: str, lang: Language, *, lower_first: bool = True) -> str:
    """A note as words to place in a sentence: one line, its first sentence, no surrounding
    punctuation, brackets turned into commas, not in capitals, first letter lowered (German keeps
    it: its nouns are capitalised)."""
    text = " ".join(text.replace("{", "").replace("}", "").split())
    text = LEADING.sub("", text)
    first = SENTENCE_END.split(text, maxsplit=1)[0]
    text = TRAILING.sub("", first)
    text = text.replace("(", ", ").replace(")", "").replace("[", ", ").replace("]", "")
    text = re.sub(r"\s+,", ",", re.sub(r",\s*,+", ",", text))
    text = re.sub(r"\s{2,}", " ", text).strip(" ,")
    letters = [ch for ch in text if ch.isalpha()]
    # A note typed in capitals is lowered; one word in capitals is an acronym ("NASA") and stays.
    if len(letters) > 3 and all(ch.isupper() for ch in letters) and len(text.split()) > 1:
        text = text.lower()
    if lower_first and lang.code != "de" and text:
        first_word = text.split()[0]
        abbreviation = first_word.endswith(".")  # "Dr. Rao", "J. Smith" keep their capital
        if (
            first_word[:1].isupper()
            and not abbreviation
            and (len(first_word) == 1 or first_word[1:].islower())
        ):
            text = text[:1].lower() + text[1:]
    return text


def you_clause(note: str, lang: Language) -> str:
    """The note as a clause about the reader ("you sail a small boat on weekends"), or "" when it
    does not start with a verb (a noun phrase such as "birdwatcher with a life list")."""
    if not lang.conjugates or not note:
        return ""
    words = note.split()
    start = 0
    while start < len(words) - 1 and words[start].lower() in lang.adverbs:
        start += 1
    verb = _base_form(words[start], lang, first=True)
    if verb is None:
        return ""
    words[start] = verb
    for i in range(start + 1, len(words) - 1):
        if words[i].lower() == "and":
            following = words[i + 1].lower()
            after = words[i + 2].lower() if i + 2 < len(words) else ""
            if (
                following in lang.irregular
                or following in AND_VERBS
                or (following.endswith("s") and after in DETERMINERS and len(following) > 3)
            ):
                words[i + 1] = _base_form(words[i + 1], lang, first=False) or words[i + 1]
    words = [PRONOUNS.get(w.lower(), w) if i > start else w for i, w in enumerate(words)]
    return "you " + " ".join(words)


def _base_form(word: str, lang: Language, *, first: bool) -> str | None:
    """A third-person verb in the form that follows "you"; past tenses stay; None if not a verb."""
    low = word.lower()
    # An acronym ("AAAS", "NASA") or a name with capitals inside ("AAaS", "McKays") is a name,
    # not a verb.
    if len(word) > 1 and any(ch.isupper() for ch in word[1:]):
        return None
    if not low.isalpha() and low not in lang.irregular:
        return None
    if low in lang.irregular:
        return lang.irregular[low]
    if low in lang.family_words:
        return None
    if low in lang.past or (low.endswith("ed") and len(low) > 3):
        return low
    if len(low) <= 3 or not low.endswith("s") or low.endswith(("ss", "us", "is", "ous")):
        return None
    if low.endswith("ies") and len(low) > 4:
        return low[:-3] + "y"
    if low.endswith(("sses", "shes", "ches", "xes", "zes", "oes")):
        return low[:-2]
    return low[:-1]


def purchase_phrase(description: str, lang: Language) -> str:
    """What was bought, as a noun phrase: "Service plan, 3 years" → "service plan"; "New SUV" →
    "new SUV"; a brand ("Honda CR-V") keeps its capitals."""
    text = tidy(description.split(",")[0], lang, lower_first=False)
    words = text.split()
    if len(words) > 1 and words[0].lower() in {"a", "an", "the", "ein", "eine", "un", "une", "una"}:
        words = words[1:]
    brand = len(words) > 1 and words[1][:1].isupper() and words[0].lower() not in lang.adjectives
    if lang.code != "de" and brand:
        return " ".join(words)
    if lang.code != "de" and words and words[0][:1].isupper() and words[0][1:].islower():
        words[0] = words[0].lower()
    return " ".join(words)


def topic_of(tags: list[str], lang: Language) -> str:
    """The first tag that says what the note is about (not "interest" or "industry")."""
    for tag in tags:
        tag = tidy(tag, lang)
        if tag and tag.lower() not in GENERIC_TAGS:
            return tag
    return ""


def kind_of(category: str, tags: list[str]) -> str:
    """The pattern kind of a note: its category, or pets / travel when its tags say so."""
    lowered = {tag.strip().lower() for tag in tags}
    if lowered & PET_TAGS:
        return "pets"
    if lowered & TRAVEL_TAGS:
        return "travel"
    return category if category else "other"


def fill(pattern: str, slots: dict[str, str]) -> str | None:
    """The pattern with its slots filled; None when one of them is empty."""
    needed = SLOT.findall(pattern)
    if any(not slots.get(name) for name in needed):
        return None
    text = SLOT.sub(lambda m: slots[m.group(1)], pattern)
    text = re.sub(r"\s{2,}", " ", text).strip()
    return text[:1].upper() + text[1:]


def compose(lang: Language, kind: str, slots: dict[str, str], seed: int) -> str:
    """One sentence for ``kind``: the ``seed``-th pattern (cycling) of those whose slots can be
    filled; the "other" patterns when none of the kind's can; "" when nothing fits."""
    for patterns in (lang.patterns.get(kind, []), lang.patterns.get("other", [])):
        usable = [p for p in patterns if fill(p, slots) is not None]
        if usable:
            return fill(usable[seed % len(usable)], slots) or ""
    return ""


def fact_slots(text: str, tags: list[str], lang: Language) -> dict[str, str]:
    note = tidy(text, lang)
    you = you_clause(note, lang)
    topic = topic_of(tags, lang)
    if not topic and not you and 0 < len(note.split()) <= 2:
        topic = note  # "golf", "Segeln": the note is its own topic
    return {"note": note, "you": you, "topic": topic}


def fact_line(text: str, category: str, tags: list[str], lang: Language, seed: int) -> str:
    return compose(lang, kind_of(category, tags), fact_slots(text, tags, lang), seed)
