from typing import Any

from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    """Values every page of the shell needs (the navigation)."""
    return {
        "nav": [
            ("today", "Today"),
            ("customers", "Customers"),
        ]
    }
