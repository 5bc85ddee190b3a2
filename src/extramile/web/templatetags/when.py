"""Times a person reads without guessing the day: ``{{ moment|when }}`` and ``{{ moment|from_now }}``.

``when`` gives the day with every time: "today 09:12", "yesterday 17:57", "Thu 26 Nov 17:57", and
the year too when it is not this year ("Thu 26 Nov 2025 17:57"), in the page's time zone (the
user's, activated by ``accounts.middleware``). ``from_now`` is the wall-clock distance from the
page's ``now`` (``clock.now()``): "in 4 h 33 min", "2 days ago" — said beside a business-minute
clock, so "1 h left" at 05:27 for a 10:00 deadline also reads "in 4 h 33 min".
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from extramile import clock

register = template.Library()


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


@register.filter
def when(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    local = _local(moment)
    today = _local(clock.now()).date()
    time = f"{local:%H:%M}"
    if local.date() == today:
        return f"today {time}"
    if local.date() == today - dt.timedelta(days=1):
        return f"yesterday {time}"
    if local.date() == today + dt.timedelta(days=1):
        return f"tomorrow {time}"
    year = "" if local.year == today.year else f" {local.year}"
    return f"{local:%a} {local.day} {local:%b}{year} {time}"


def span(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{minutes // (24 * 60)} days"


@register.filter
def from_now(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    seconds = (moment - clock.now()).total_seconds()
    minutes = int(abs(seconds) // 60)
    if minutes == 0:
        return "now"
    return f"in {span(minutes)}" if seconds > 0 else f"{span(minutes)} ago"
