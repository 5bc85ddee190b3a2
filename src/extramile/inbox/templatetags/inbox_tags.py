"""Template helpers for reply rows: the message behind a Today row, its clock, its contact link,
and the quick-log form on every page."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.context import Context

from extramile import clock as wall
from extramile.accounts.models import Company
from extramile.book.contact import try_normalise_phone
from extramile.inbox.clock import Clock, HoursCache, clock
from extramile.inbox.habits import attach_messages
from extramile.inbox.models import Channel, InboundMessage

register = template.Library()


def _hours(context: Context) -> HoursCache:
    """One HoursCache per rendering (a page of rows reads the company once)."""
    cache = context.render_context.get("inbox_hours")
    if cache is None:
        cache = HoursCache(Company.get())
        context.render_context["inbox_hours"] = cache
    return cache


@register.simple_tag
def reply_message(action: Any) -> InboundMessage | None:
    """The message behind a "Reply owed" action. Today attaches the page's messages in one query
    (``habits.prefetch``); a row rendered alone fetches its own."""
    if not hasattr(action, "reply_message"):
        attach_messages([action])
    message: InboundMessage | None = getattr(action, "reply_message", None)
    return message


@register.simple_tag(takes_context=True)
def reply_clock(context: Context, message: InboundMessage) -> Clock | None:
    """Business minutes left (or overdue by), in the owner's hours, from now."""
    if message.replied_at is not None:
        return None
    hours = _hours(context).for_owner(message.owner)
    return clock(message.reply_due_at, context.get("now") or wall.now(), hours)


@register.simple_tag(takes_context=True)
def reply_href(context: Context, message: InboundMessage) -> str:
    """A mailto: or tel: link to answer the sender ('' when the number cannot be dialled)."""
    if message.is_email:
        return f"mailto:{message.from_address.strip()}"
    e164 = try_normalise_phone(message.from_address, _hours(context).company.country)
    return f"tel:{e164}" if e164 else ""


@register.inclusion_tag("inbox/_quick_log.html", takes_context=True)
def quick_log(context: Context) -> dict[str, Any]:
    request = context.get("request")
    return {
        "channels": Channel.choices,
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path() if request is not None else "/",
    }
