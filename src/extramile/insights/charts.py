"""The insights page's charts, drawn with the shared SVG bar chart (``extramile.charts``)."""

from __future__ import annotations

from typing import Any

from extramile.charts import BarChart, bar_chart


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def figure_charts(figures: dict[str, Any]) -> dict[str, BarChart]:
    referrals = figures["referrals"]
    responses = figures["responses"]
    return {
        "referrals": bar_chart(
            [
                (f"{month:%b %y}", count, f"{month:%B %Y}: {plural(count, 'referral')}")
                for month, count in referrals
            ],
            title=f"Referrals per month, {referrals[0][0]:%B %Y} to {referrals[-1][0]:%B %Y}",
            every=3,
        ),
        "responses": bar_chart(
            [
                (
                    f"{month:%b}",
                    None if f.share_within is None else round(f.share_within * 100, 1),
                    f"{month:%B %Y}: "
                    + (
                        "nothing to judge"
                        if f.share_within is None
                        else f"{f.percent_within} of {f.judged:,} answered within the target"
                    ),
                )
                for month, f in responses
            ],
            title="Share of messages answered within the target, per month",
            top=100,
            unit="%",
        ),
    }
