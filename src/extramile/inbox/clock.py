"""The reply clock: when a reply is due, and how many business minutes are left.

All arithmetic is ``business_hours`` (company hours, working days, public holidays, the owner's own
time zone). A message's deadline is computed once, on arrival, and stored; an unassigned message
runs on the company's zone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from extramile import business_hours
from extramile.accounts.models import Company, User
from extramile.business_hours import BusinessHours


class HoursCache:
    """Business hours per owner zone, built once per operation (a bulk load, a page)."""

    def __init__(self, company: Company) -> None:
        self.company = company
        self._by_zone: dict[str, BusinessHours] = {}

    def for_owner(self, owner: User | None) -> BusinessHours:
        zone = owner.time_zone if owner is not None else ""
        return self.for_zone(zone)

    def for_zone(self, zone: str) -> BusinessHours:
        hours = self._by_zone.get(zone)
        if hours is None:
            hours = business_hours.for_company(
                self.company, zoneinfo.ZoneInfo(zone) if zone else None
            )
            self._by_zone[zone] = hours
        return hours


def reply_due_at(
    received_at: dt.datetime,
    owner: User | None,
    company: Company,
    hours: BusinessHours | None = None,
) -> dt.datetime:
    """Received plus the company's reply target in business minutes, in the owner's zone."""
    hours = hours or business_hours.for_user(owner, company)
    return hours.add_minutes(received_at, company.reply_within_minutes)


@dataclass(frozen=True)
class Clock:
    """Where a reply owed stands at a moment: business minutes left, or overdue by."""

    minutes: int
    overdue: bool

    @property
    def label(self) -> str:
        return (
            f"overdue by {_duration(self.minutes)}"
            if self.overdue
            else f"{_duration(self.minutes)} left"
        )


def clock(due_at: dt.datetime, now: dt.datetime, hours: BusinessHours) -> Clock:
    """Business minutes from ``now`` to ``due_at`` (rounded down while time is left, so "0 min
    left" shows in the last minute), or past it (rounded up once overdue)."""
    if now <= due_at:
        return Clock(int(hours.minutes_between(now, due_at)), overdue=False)
    late = hours.minutes_between(due_at, now)
    return Clock(max(1, -int(-late // 1)), overdue=True)


def _duration(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"
