"""Helpers for the service tests: explicit instants in the company's zone (America/New_York,
09:00–18:00 Monday to Friday, US holidays)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def ny(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A New York wall-clock time, as the UTC instant the services receive."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=NEW_YORK).astimezone(dt.UTC)
