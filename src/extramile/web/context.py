from typing import Any

from django.http import HttpRequest

from extramile import clock


def shell(request: HttpRequest) -> dict[str, Any]:
    """Values every page of the shell needs: the navigation."""
    user = getattr(request, "user", None)
    nav = [
        ("today", "Today"),
        ("customers", "Customers"),
        ("import", "Import"),
        ("service", "Service"),
        ("inbox", "Inbox"),
        ("calls", "Calls"),
        ("cards", "Cards"),
        ("articles", "Articles"),
        ("lunches", "Lunches"),
        ("ideas", "Ideas"),
        ("stories", "Stories"),
        ("playbook", "Playbook"),
        ("team", "Team"),
        ("insights", "Insights"),
        ("settings", "Settings"),
    ]
    is_admin = bool(user and user.is_authenticated and user.is_admin_role)
    return {
        "nav": nav,
        "show_admin": is_admin,
        "HTMX_VERSION": "2.0.4",
        # When the page was drawn: an offline copy says "last updated HH:MM" (offline.js).
        "rendered_at": clock.now() if user and user.is_authenticated else None,
    }
