"""The company's branding on cards: the logo upload (checked to be an image with Pillow, kept as
PNG in the database) and the logo for Typst (the PNG bytes; the print data carries them as a list
of numbers, which Typst's ``bytes()`` turns back into the image)."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

from extramile.cards.models import CardBranding

MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_SIDE = 800


def clean_logo(data: bytes) -> tuple[bytes, int, int]:
    """PNG bytes and size of an uploaded logo; ValidationError when it is not a PNG, JPEG, GIF or
    WebP image or is too large."""
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError("The logo is larger than 2 MB: upload a smaller image.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.format not in {"PNG", "JPEG", "GIF", "WEBP"}:
            raise ValidationError("Upload the logo as PNG, JPEG, GIF or WebP.")
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError("That file is not an image: upload a PNG or JPEG logo.") from error
    converted = image.convert("RGBA")
    converted.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    converted.save(out, format="PNG", optimize=True)
    return out.getvalue(), converted.width, converted.height


def logo_png(branding: CardBranding) -> bytes | None:
    """The logo's PNG bytes, or None. (It used to reach Typst as an SVG wrapping the PNG; Typst
    converts an SVG again on every page it is drawn on, a third of the time of a 10,000-card PDF.)"""
    if not branding.logo or not branding.logo_width:
        return None
    return bytes(branding.logo)
