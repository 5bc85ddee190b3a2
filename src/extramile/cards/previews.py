"""A preview image of each card design with the company's branding, rendered by Typst to PNG and
cached on disk under the data folder (keyed by the design, the branding and the templates)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from django.conf import settings

from extramile.cards.printing import TEMPLATES, PrintCard, Style, cards_pdf

SAMPLE = PrintCard(
    recipient="Anna Smith",
    address=[],
    occasion="Happy birthday",
    message="Dear Anna,\n\nI hope the sailing season treats you well, and give my love to Mia.",
    handwritten=False,
    signature="Olivia Park",
    title="Sales advisor",
)


def folder() -> Path:
    return Path(settings.DATA_DIR) / "cache" / "card-previews"


def preview(design: str, style: Style, greeting: str = "") -> bytes:
    """The first page of a sample card in ``design`` as PNG (cached)."""
    stamp = max(p.stat().st_mtime_ns for p in TEMPLATES.glob("*.typ"))
    logo = hashlib.sha256(style.logo or b"").hexdigest()
    branding = {**asdict(style), "logo": logo}
    key = hashlib.sha256(json.dumps([design, branding, greeting, stamp]).encode()).hexdigest()
    path = folder() / f"{key[:32]}.png"
    if path.is_file():
        return path.read_bytes()
    sample = PrintCard(
        **{**asdict(SAMPLE), "design": design, "occasion": greeting or SAMPLE.occasion}
    )
    data = cards_pdf([sample], style=style, format="png")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
    return data
