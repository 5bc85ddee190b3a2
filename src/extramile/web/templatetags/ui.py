"""The design system's template helpers: icons from the vendored sprite, amounts in the currency."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# A symbol where one is unambiguous in an English page; any other ISO 4217 code is written out.
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CHF": "CHF "}


@register.simple_tag
def icon(name: str, label: str = "") -> str:
    """An icon from static/extramile/icons.svg (lucide, ISC): decorative unless given a label."""
    return svg_icon(f"{static('extramile/icons.svg')}#{name}", label)


def svg_icon(href: str, label: str = "") -> SafeString:
    """The markup of the sprite's icon at ``href`` (the navigation makes its own once)."""
    if label:
        return format_html(
            '<svg class="icon" role="img" aria-label="{}"><use href="{}"></use></svg>', label, href
        )
    return format_html(
        '<svg class="icon" aria-hidden="true" focusable="false"><use href="{}"></use></svg>', href
    )


@register.filter
def money(amount: object, places: int = 2) -> str:
    """``1234.5`` → ``$1,234.50`` in the currency of EXTRAMILE_CURRENCY (``1,234.50 SEK`` where no
    symbol is unambiguous); ``|money:0`` without cents; empty for no amount."""
    if amount is None or amount == "":
        return ""
    places = 0 if int(places) == 0 else 2
    try:
        value = Decimal(str(amount)).quantize(Decimal(1) if places == 0 else Decimal("0.01"))
    except InvalidOperation:
        return str(amount)
    code = settings.EXTRAMILE_CURRENCY
    sign = "−" if value < 0 else ""
    text = f"{abs(value):,.{places}f}"
    symbol = SYMBOLS.get(code)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {code}"
