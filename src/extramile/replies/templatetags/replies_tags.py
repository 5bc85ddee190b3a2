"""The "write the answer" form on an owed reply (Today, the Inbox, the customer page)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.context import Context

from extramile.inbox.models import InboundMessage
from extramile.replies.models import ReplyChannel, ReplyTemplate

register = template.Library()


def _templates(context: Context) -> list[ReplyTemplate]:
    """The company's templates, read once per page: kept on the request, because each row's
    ``{% include %}`` renders with a render context of its own."""
    holder = context.get("request")
    found: list[ReplyTemplate] | None = getattr(holder, "_extramile_reply_templates", None)
    if found is None:
        found = list(ReplyTemplate.objects.only("pk", "name"))
        if holder is not None:
            holder._extramile_reply_templates = found
    return found


@register.inclusion_tag("replies/_form.html", takes_context=True)
def reply_form(
    context: Context, message: InboundMessage, row: str = "", action_id: int | None = None
) -> dict[str, Any]:
    """The form; on Today (``action_id``) it swaps the row in place, elsewhere it posts and
    comes back to the page."""
    target = f"#action-{action_id}" if action_id else ""
    emailable = message.is_email or message.customer_id is not None
    return {
        "message": message,
        "row": row,
        "target": target,
        "channels": [
            (value, label)
            for value, label in ReplyChannel.choices
            if value != ReplyChannel.EMAIL or emailable
        ],
        "default_channel": ReplyChannel.EMAIL if message.is_email else ReplyChannel.CALL,
        "templates": _templates(context),
        "next": context["request"].get_full_path() if "request" in context else "",
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def owed_replies(context: Context, customer: Any) -> list[InboundMessage]:
    """The customer's messages still owed a reply, as the viewer may see them (customer page)."""
    user = context["request"].user
    return list(
        InboundMessage.objects.visible_to(user)
        .filter(customer=customer, replied_at__isnull=True)
        .select_related("customer", "owner")
        .order_by("reply_due_at")[:10]
    )
