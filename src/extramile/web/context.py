import functools
from typing import Any, NamedTuple

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString

from extramile import clock
from extramile.web.templatetags.ui import svg_icon

# The navigation: (url name, label, icon in static/extramile/icons.svg). The first five are the
# daily pages: a phone shows them in the bottom tab bar, the rest under "More".
NAV = [
    ("today", "Today", "sun"),
    ("inbox", "Inbox", "inbox"),
    ("calls", "Calls", "phone"),
    ("service", "Service", "wrench"),
    ("customers", "Customers", "users"),
    ("cards", "Cards", "mail"),
    ("articles", "Articles", "newspaper"),
    ("lunches", "Lunches", "utensils"),
    ("ideas", "Ideas", "lightbulb"),
    ("stories", "Stories", "book-open"),
    ("playbook", "Playbook", "target"),
    ("team", "Team", "users-round"),
    ("insights", "Insights", "chart-line"),
    ("import", "Import", "upload"),
    ("settings", "Settings", "settings"),
]
DAILY = 5


class Link(NamedTuple):
    name: str
    url: str
    label: str
    icon: SafeString


@functools.lru_cache(maxsize=8)
def links(prefix: str, sprite: str) -> tuple[Link, ...]:
    """The navigation's links with their URLs and icons made once per process (per script prefix
    and sprite file), not twice per page: two bars of 15 links were 60 ``reverse`` and ``static``
    calls on every page."""
    del prefix  # (part of the cache key: reverse() reads it)
    return tuple(
        Link(
            name,
            reverse(name),
            label,
            svg_icon(f"{sprite}#{icon}"),
        )
        for name, label, icon in [*NAV, ("admin:index", "Admin", "shield")]
    )


def shell(request: HttpRequest) -> dict[str, Any]:
    """Values every page of the shell needs: the navigation."""
    user = getattr(request, "user", None)
    is_admin = bool(user and user.is_authenticated and user.is_admin_role)
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match else None
    # A page below a navigation item (a customer, a card) marks that item as where one is.
    path = request.path
    section = next(
        (name for name, _l, _i in NAV if name != "today" and path.startswith(f"/{name}/")), None
    )
    made = links(get_script_prefix(), static("extramile/icons.svg"))
    pages, admin = made[:-1], made[-1]
    where = current if any(current == name for name, _l, _i in NAV) else section
    return {
        "nav": pages,
        "nav_daily": pages[:DAILY],
        "nav_more": pages[DAILY:],
        "nav_admin": admin if is_admin else None,
        "nav_current": where,
        "nav_in_more": any(link.name == where for link in pages[DAILY:]),
        "HTMX_VERSION": "2.0.4",
        "CURRENCY": settings.EXTRAMILE_CURRENCY,
        # When the page was drawn: an offline copy says "last updated HH:MM" (offline.js).
        "rendered_at": clock.now() if user and user.is_authenticated else None,
    }
