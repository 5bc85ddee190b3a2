"""The company's branding on cards: the logo upload (checked to be an image with Pillow, kept as
PNG in the database) and the logo as SVG for Typst (the print data is JSON text, and Typst reads
an SVG from a string; the PNG rides inside it as a data URI)."""

from __future__ import annotations

import base64
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


def logo_svg(branding: CardBranding) -> str | None:
    if not branding.logo or not branding.logo_width:
        return None
    encoded = base64.b64encode(bytes(branding.logo)).decode("ascii")
    w, h = branding.logo_width, branding.logo_height
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{w}" height="{h}" viewBox="0 0 {w} {h}"><image width="{w}" height="{h}" '
        f'xlink:href="data:image/png;base64,{encoded}"/></svg>'
    )
