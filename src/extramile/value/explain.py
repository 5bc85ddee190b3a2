"""A customer's value score in one line a person reads: "Bought 4 times, last 3 months ago,
48,200 in all; 2 referrals; customer for 9 years"."""

from __future__ import annotations

import datetime as dt

from extramile.value.models import ValueScore
from extramile.value.scoring import YEARS


def ago(then: dt.date, today: dt.date) -> str:
    days = (today - then).days
    if days < 1:
        return "today"
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''} ago"
    if days < 61:
        return f"{days // 7} weeks ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def explain(score: ValueScore, today: dt.date) -> str:
    parts = []
    if score.sales_count and score.last_sale_on:
        times = "once" if score.sales_count == 1 else f"{score.sales_count} times"
        parts.append(
            f"Bought {times} in the last {YEARS} years, last {ago(score.last_sale_on, today)}, "
            f"{score.sales_amount:,.0f} in all"
        )
    else:
        parts.append(f"No purchase in the last {YEARS} years")
    if score.referrals:
        bought = f" ({score.referrals_with_sale} bought)" if score.referrals_with_sale else ""
        parts.append(plural(score.referrals, "referral") + bought)
    since = score.customer.customer_since
    if since:
        years = (today - since).days // 365
        parts.append(
            f"customer for {plural(years, 'year')}" if years else "customer for under a year"
        )
    return "; ".join(parts)
