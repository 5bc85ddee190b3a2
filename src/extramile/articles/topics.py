"""Topics are lower-case tags: “Electric Cars ; travel” becomes “electric cars, travel”."""

from __future__ import annotations

import re

MAX_TOPIC = 60


def split_topics(raw: str) -> list[str]:
    """The distinct topics in ``raw`` (separated by commas, semicolons or pipes), in order."""
    seen: list[str] = []
    for part in re.split(r"[,;|]", raw or ""):
        topic = " ".join(part.split()).lower()[:MAX_TOPIC]
        if topic and topic not in seen:
            seen.append(topic)
    return seen


def normalise_topics(raw: str) -> str:
    return ", ".join(split_topics(raw))
