from typing import Any

from django.conf import settings
from django.http import HttpRequest

from extramile import clock

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
    return {
        "nav": NAV,
        "nav_daily": NAV[:DAILY],
        "nav_more": NAV[DAILY:],
        "nav_current": current if any(current == name for name, _l, _i in NAV) else section,
        "show_admin": is_admin,
        "HTMX_VERSION": "2.0.4",
        "CURRENCY": settings.EXTRAMILE_CURRENCY,
        # When the page was drawn: an offline copy says "last updated HH:MM" (offline.js).
        "rendered_at": clock.now() if user and user.is_authenticated else None,
    }
