"""Template helpers for stories: whether a user gave kudos, and the stories on a customer's page."""

from __future__ import annotations

from typing import Any

from django import template

from extramile.accounts.models import User
from extramile.book.models import Customer
from extramile.culture.models import Story
from extramile.culture.services import with_kudos_count

register = template.Library()

CUSTOMER_STORIES = 5


@register.filter
def kudos_given_by(story: Story, user: Any) -> bool:
    """Uses the prefetched kudos: no query per story."""
    return any(k.giver_id == getattr(user, "pk", None) for k in story.kudos.all())


@register.inclusion_tag("culture/_customer_stories.html", takes_context=True)
def customer_stories(context: dict[str, Any], customer: Customer) -> dict[str, Any]:
    """The latest stories about this customer that the viewer may see (private ones: only the
    author's own)."""
    user = context["request"].user
    stories: list[Story] = []
    total = 0
    if isinstance(user, User):
        visible = with_kudos_count(Story.objects.visible_to(user).filter(customer=customer))
        stories = list(visible.select_related("author").order_by("-date", "-id")[:CUSTOMER_STORIES])
        total = len(stories) if len(stories) < CUSTOMER_STORIES else visible.count()
    return {"customer": customer, "stories": stories, "total": total}
