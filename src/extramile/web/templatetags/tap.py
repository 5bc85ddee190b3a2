"""Tap-to-act links: a phone number to call or text, an address to open in the phone's maps app.

Maps use Google's documented universal URL (``/maps/search/?api=1&query=…``): on Android it opens
the Maps app, on an iPhone the Google Maps app or, without it, the web page; on a desktop the web
page. No script, nothing loaded from elsewhere until the rep taps it.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from django import template

register = template.Library()

MAPS = "https://www.google.com/maps/search/?api=1&query="


@register.filter
def map_url(lines: Iterable[str] | str) -> str:
    """A maps link for an address (its lines, or one line)."""
    text = lines if isinstance(lines, str) else ", ".join(line for line in lines if line)
    text = " ".join(text.split())
    return MAPS + quote(text, safe="") if text else ""


@register.filter
def sms_url(number: str) -> str:
    """``sms:`` for an E.164 number (what PhoneNumber.number holds)."""
    number = "".join(ch for ch in (number or "") if ch.isdigit() or ch == "+")
    return f"sms:{number}" if number else ""
