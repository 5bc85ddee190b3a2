from __future__ import annotations

import datetime as dt

from extramile.inbox.services import receive
from tests.conftest import NOW

# Monday 23 November 2026, 09:30 in New York (the company's zone): business hours.
MORNING = dt.datetime(2026, 11, 23, 14, 30, tzinfo=dt.UTC)


def log(channel="call", sender="+1 212 555 0100", *, at=MORNING, now=NOW, **extra):
    return receive(
        channel=channel,
        from_address=sender,
        received_at=at,
        summary=extra.pop("summary", "Asked about the service plan"),
        now=now,
        **extra,
    )
