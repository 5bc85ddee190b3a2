"""The Settings page's Cards section: ``{% card_design %}`` renders it for the current user."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("cards/_design.html", takes_context=True)
def card_design(context: template.Context) -> dict[str, Any]:
    from extramile.web.cards import design_context

    request = context["request"]
    return {**design_context(request.user), "csrf_token": context.get("csrf_token")}
