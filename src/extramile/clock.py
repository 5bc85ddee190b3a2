"""The one clock of the edges.

Business code takes ``now`` as an argument; the edges that start a piece of work (pages, the API,
commands, the worker and the scheduler) ask this module for it, and nothing else reads the wall
clock. ``tests/test_clock.py`` fails on a new direct ``timezone.now()``, ``datetime.now()`` or
``date.today()`` anywhere else in ``src/``, so tests that travel in time (``time-machine``, or the
suite's ``--moment`` option) move every edge at once.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """The current moment, timezone-aware (UTC)."""
    return timezone.now()


def today_in(zone: dt.tzinfo) -> dt.date:
    """Today's date in ``zone``."""
    return now().astimezone(zone).date()
