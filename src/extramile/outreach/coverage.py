"""Coverage: how much of each rep's book has heard from them within its cadence, and whether the
rotation's calls a day can keep up.

The book here is what the rotation serves: customers (not prospects or former customers) who may
be called. A customer is within cadence when their last real contact is no older than their tier's
cadence. The capacity a book needs is Σ 1 / cadence days over its customers (calls a calendar day),
times 7 / working days a week (calls a working day); public holidays are ignored, so the figure
is a floor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from extramile.accounts.models import Company, User
from extramile.book.models import Customer, PhoneNumber, Status, Tier
from extramile.charts import MeterChart, meter_chart
from extramile.rollups.store import read, rollup


@dataclass(frozen=True)
class TierCoverage:
    tier: str
    cadence_days: int
    customers: int = 0
    within: int = 0

    @property
    def share(self) -> float | None:
        return self.within / self.customers if self.customers else None

    @property
    def calls_a_day(self) -> float:
        """Calls a calendar day to reach each of these customers once a cadence."""
        return self.customers / self.cadence_days


@dataclass(frozen=True)
class RepCoverage:
    rep: User
    calls_per_day: int
    working_days_a_week: int
    tiers: list[TierCoverage] = field(default_factory=list)
    no_phone: int = 0

    @property
    def customers(self) -> int:
        return sum(t.customers for t in self.tiers)

    @property
    def within(self) -> int:
        return sum(t.within for t in self.tiers)

    @property
    def share(self) -> float | None:
        return self.within / self.customers if self.customers else None

    @property
    def needed_per_day(self) -> float:
        """Calls a working day that keep the whole book within cadence."""
        return sum(t.calls_a_day for t in self.tiers) * 7 / self.working_days_a_week

    @property
    def over_capacity(self) -> bool:
        return round(self.needed_per_day, 1) > self.calls_per_day

    def warning(self, yours: bool = True) -> str:
        """“Your book needs 7.4 calls a working day to stay within cadence; you make 5.” (blank
        when the rotation keeps up)."""
        if not self.over_capacity:
            return ""
        needed = f"{self.needed_per_day:.1f} calls a working day to stay within cadence"
        if yours:
            return f"Your book needs {needed}; you make {self.calls_per_day}."
        return f"{self.rep}'s book needs {needed}; the rotation makes {self.calls_per_day}."


def rotation_book(owner_ids: list[int]) -> QuerySet[Customer]:
    return Customer.objects.filter(
        owner_id__in=owner_ids, status=Status.CUSTOMER, do_not_call=False
    )


def tier_counts(
    owner_ids: list[int], now: dt.datetime, company: Company, phones: bool = True
) -> dict[tuple[int, str], dict[str, int]]:
    """(owner, tier) → customers, within cadence and (with ``phones``) without a phone number, in
    one grouped query."""
    within = Q()
    for tier in Tier.values:
        since = now - dt.timedelta(days=company.cadence_days(tier))
        within |= Q(tier=tier, last_contact_at__gte=since)
    counted: dict[str, Any] = {"customers": Count("id"), "within": Count("id", filter=within)}
    if phones:
        has_phone = Exists(PhoneNumber.objects.filter(customer=OuterRef("pk")))
        counted["no_phone"] = Count("id", filter=~Q(has_phone))
    rows = rotation_book(owner_ids).values("owner_id", "tier").annotate(**counted).order_by()
    return {(row["owner_id"], row["tier"]): row for row in rows}


@rollup("outreach.coverage")
def coverage_rollup(owner_ids: list[int], now: dt.datetime) -> dict[int, Any]:
    """Per owner and tier: customers and how many are within cadence (the Team page's column,
    kept once a day)."""
    found: dict[int, dict[str, list[int]]] = {}
    for (owner_id, tier), row in tier_counts(owner_ids, now, Company.get(), phones=False).items():
        found.setdefault(owner_id, {})[tier] = [row["customers"], row["within"]]
    return found


def kept_shares(owner_ids: list[int], now: dt.datetime) -> dict[int, tuple[int, int]]:
    """Owner → (within cadence, customers), from the kept rollup (at most a day old)."""
    kept = read("outreach.coverage", owner_ids, now).data
    result = {}
    for owner_id in owner_ids:
        tiers = kept.get(owner_id, {}).values()
        result[owner_id] = (sum(t[1] for t in tiers), sum(t[0] for t in tiers))
    return result


def coverage(
    reps: QuerySet[User] | list[User], now: dt.datetime, company: Company | None = None
) -> list[RepCoverage]:
    """Coverage per rep and tier, counted now, in the order of ``reps``."""
    company = company or Company.get()
    reps = list(reps)
    counts = tier_counts([rep.pk for rep in reps], now, company)
    working = len(company.working_weekdays)
    result = []
    for rep in reps:
        tiers = []
        no_phone = 0
        for tier in Tier.values:
            row = counts.get((rep.pk, tier), {})
            no_phone += row.get("no_phone", 0)
            tiers.append(
                TierCoverage(
                    tier=tier,
                    cadence_days=company.cadence_days(tier),
                    customers=row.get("customers", 0),
                    within=row.get("within", 0),
                )
            )
        result.append(RepCoverage(rep, company.calls_per_day, working, tiers, no_phone))
    return result


def kept_coverage(
    reps: QuerySet[User] | list[User], now: dt.datetime, company: Company | None = None
) -> tuple[list[RepCoverage], dt.datetime | None]:
    """Coverage per rep and tier from the kept rollup (counted at most a day before ``now``, by
    the nightly plan), in the order of ``reps``: what a page over many books shows, 3 rows a rep
    instead of a count of every book, and when it was counted (None: no reps). Customers without a
    phone are not kept (``no_phone`` 0)."""
    company = company or Company.get()
    reps = list(reps)
    found = read("outreach.coverage", [rep.pk for rep in reps], now)
    kept = found.data
    working = len(company.working_weekdays)
    result = []
    for rep in reps:
        counted = kept.get(rep.pk, {})
        tiers = [
            TierCoverage(
                tier=tier,
                cadence_days=company.cadence_days(tier),
                customers=counted.get(tier, [0, 0])[0],
                within=counted.get(tier, [0, 0])[1],
            )
            for tier in Tier.values
        ]
        result.append(RepCoverage(rep, company.calls_per_day, working, tiers))
    return result, found.as_of


def capacity_warning(user: User, company: Company | None = None) -> str:
    """The line for the top of a rep's Today when their book is too big for the rotation (only
    counts per tier: cheaper than the full coverage)."""
    company = company or Company.get()
    # COUNT(*): counted from the (owner, status, do_not_call, tier, …) index alone on PostgreSQL.
    rows = rotation_book([user.pk]).values_list("tier").annotate(count=Count("*")).order_by()
    tiers = [
        TierCoverage(tier=tier, cadence_days=company.cadence_days(tier), customers=count)
        for tier, count in rows
    ]
    mine = RepCoverage(user, company.calls_per_day, len(company.working_weekdays), tiers)
    return mine.warning()


def tier_chart(books: list[RepCoverage], title: str) -> MeterChart:
    """Within cadence per tier, and for all, pooled over ``books`` (one rep's, or a team's): the
    Calls page's chart of what the table says."""
    rows = []
    for i, tier in enumerate(Tier.values):
        found = [book.tiers[i] for book in books]
        cadence = found[0].cadence_days if found else 0
        rows.append(
            (
                f"{tier} · {cadence} days",
                sum(t.within for t in found),
                sum(t.customers for t in found),
            )
        )
    rows.append(("All", sum(b.within for b in books), sum(b.customers for b in books)))
    return meter_chart(rows, title)
