"""The card's language: wording, greetings, suggestion patterns and the guard's word lists.

Each language is a data file in ``lang/`` (``en.toml``, ``de.toml``, ``fr.toml``, ``es.toml``),
read once. A card is in its recipient's language (``Customer.language``: ``de``, ``fr-CA`` …) when
there is a file for it, else in the company's (``CardBranding.language``), else English.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).parent / "lang"
DEFAULT = "en"


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    and_word: str
    family_name: str
    sign_off: str
    greetings: dict[str, str]
    templates: dict[str, str]
    patterns: dict[str, list[str]]
    irregular: dict[str, str] = field(default_factory=dict)
    adverbs: frozenset[str] = frozenset()
    past: frozenset[str] = frozenset()
    family_words: frozenset[str] = frozenset()
    adjectives: frozenset[str] = frozenset()
    people: dict[str, str] = field(default_factory=dict)
    generic: tuple[str, ...] = ()
    stopwords: frozenset[str] = frozenset()
    calendar: frozenset[str] = frozenset()

    @property
    def conjugates(self) -> bool:
        """Whether facts can be turned into a clause about the reader ({you}): English only."""
        return bool(self.irregular)

    def join(self, names: list[str]) -> str:
        names = [n for n in names if n]
        if len(names) <= 1:
            return names[0] if names else ""
        return ", ".join(names[:-1]) + f" {self.and_word} " + names[-1]


def _load(path: Path) -> Language:
    data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    grammar = data.get("grammar", {})
    guard = data.get("guard", {})
    return Language(
        code=data["code"],
        name=data["name"],
        and_word=data["and"],
        family_name=data["family_name"],
        sign_off=data["sign_off"],
        greetings=dict(data.get("greetings", {})),
        templates=dict(data.get("templates", {})),
        patterns={kind: list(found) for kind, found in data.get("patterns", {}).items()},
        irregular=dict(grammar.get("irregular", {})),
        adverbs=frozenset(grammar.get("adverbs", [])),
        past=frozenset(grammar.get("past", [])),
        family_words=frozenset(grammar.get("family_words", [])),
        adjectives=frozenset(grammar.get("adjectives", [])),
        people=dict(grammar.get("people", {})),
        generic=tuple(sorted(guard.get("generic", []), key=len, reverse=True)),
        stopwords=frozenset(guard.get("stopwords", [])),
        calendar=frozenset(guard.get("calendar", [])),
    )


@functools.cache
def languages() -> dict[str, Language]:
    """Every language with a data file, by code."""
    return {path.stem: _load(path) for path in sorted(FOLDER.glob("*.toml"))}


def main_code(code: str) -> str:
    """``fr-CA`` → ``fr``; ``DE`` → ``de``."""
    return re.split(r"[-_]", (code or "").strip().lower(), maxsplit=1)[0]


def get(*codes: str) -> Language:
    """The first of ``codes`` with a data file (``de-AT`` finds ``de``), else English."""
    found = languages()
    for code in codes:
        if main_code(code) in found:
            return found[main_code(code)]
    return found[DEFAULT]


def choices() -> list[tuple[str, str]]:
    return [(code, lang.name) for code, lang in languages().items()]


@functools.cache
def all_generic() -> tuple[str, ...]:
    """Generic phrases of every language, longest first (a German card may say “Merry Christmas”)."""
    phrases = {phrase for lang in languages().values() for phrase in lang.generic}
    return tuple(sorted(phrases, key=len, reverse=True))


@functools.cache
def all_stopwords() -> frozenset[str]:
    return frozenset(word for lang in languages().values() for word in lang.stopwords)


@functools.cache
def all_calendar() -> frozenset[str]:
    """Names of days and months in every language."""
    return frozenset(word for lang in languages().values() for word in lang.calendar)
