"""Server-side SVG charts: numbers in, coordinates out; the template draws them.

No JavaScript library: a chart is a small dataclass of coordinates that a template
(``templates/charts/_bars.html``) turns into an ``<svg role="img">`` with a ``<title>``. The
numbers behind every chart are also shown as text or a table on the page, so nothing is only
in the picture. The check-in trend (``culture.checkins.chart``) is the line chart; this module
holds the bar chart (insights' months, the weekly trend on Team and Calls: ``_bars.html``) and the
meter chart of shares (call coverage by tier: ``_meters.html``), and is the place for the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 720
HEIGHT = 220
PAD = 28  # room for the axis labels
TOP = 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # under the bar (may be empty to keep the axis readable)
    title: str  # the tooltip and the accessible text: "Mar 2026: 4 referrals"


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    grid: list[tuple[float, str]]  # y, label
    baseline: float
    title: str

    @property
    def empty(self) -> bool:
        return all(bar.height == 0 for bar in self.bars)


def nice_top(value: float) -> float:
    """The smallest 1, 2, 5 × 10ⁿ at or above ``value`` (at least 1), so the grid reads well."""
    top = 1.0
    while True:
        for step in (1, 2, 5):
            if top * step >= value:
                return top * step
        top *= 10


def bar_chart(
    values: Sequence[tuple[str, float | None, str]],
    title: str,
    top: float | None = None,
    every: int = 1,
    unit: str = "",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> BarChart:
    """Bars for ``(label, value, tooltip)``; a ``None`` value leaves a gap (nothing to measure).

    ``top`` fixes the scale (100 for percentages), else it is rounded up from the largest value;
    ``every`` labels every n-th bar only, so 24 months stay legible; ``width`` and ``height``
    (drawing units) make a small chart for a row of several.
    """
    largest = max((v for _, v, _ in values if v is not None), default=0.0)
    scale_top = top if top is not None else nice_top(largest)
    inner_w = width - 2 * PAD
    inner_h = height - PAD - TOP
    baseline = float(height - PAD)
    slot = inner_w / max(len(values), 1)
    bars = []
    for i, (label, value, tooltip) in enumerate(values):
        h = 0.0 if not value else round(inner_h * min(value, scale_top) / scale_top, 1)
        bars.append(
            Bar(
                x=round(PAD + i * slot + slot * 0.15, 1),
                y=round(baseline - h, 1),
                width=round(slot * 0.7, 1),
                height=h,
                label=label if i % every == 0 else "",
                title=tooltip,
            )
        )
    lines = 4 if f"{scale_top:g}".startswith("2") else 5  # 0.5, 1, 1.5, 2 / 1, 2, 3, 4, 5
    grid = [
        (round(baseline - inner_h * step / lines, 1), f"{scale_top * step / lines:g}{unit}")
        for step in range(lines + 1)
    ]
    return BarChart(width, height, bars, grid, baseline, title)


@dataclass(frozen=True)
class Meter:
    """One row of a horizontal chart of shares: the label, the filled width, what it says."""

    label: str  # "A · every 30 days"
    y: int
    filled: float  # width of the bar, in drawing units (0 when there is nothing to measure)
    text: str  # beside the bar: "82%", or "–" when there is nothing to measure
    detail: str  # the counts behind it: "41 of 50" (or "none")
    title: str


@dataclass(frozen=True)
class MeterChart:
    width: int
    height: int
    label_width: int
    bar_width: int
    row: int
    rows: list[Meter]
    title: str


def meter_chart(
    values: Sequence[tuple[str, int, int]], title: str, width: int = 360, label_width: int = 116
) -> MeterChart:
    """Horizontal bars of shares, 0–100 %, for ``(label, part, whole)``: how full each one is.
    A row with a whole of 0 has no bar and says "–" (nothing to measure is not 0 %)."""
    row = 30
    bar_width = width - label_width - 52  # room for "100%" on the right
    rows = []
    for i, (label, part, whole) in enumerate(values):
        share = part / whole if whole else None
        detail = f"{part:,} of {whole:,}" if whole else "none"
        rows.append(
            Meter(
                label=label,
                y=i * row,
                filled=0.0 if share is None else round(bar_width * min(share, 1.0), 1),
                text="–" if share is None else f"{share:.0%}",
                detail=detail,
                title=f"{label}: "
                + ("nothing to measure" if share is None else f"{share:.0%} ({detail})"),
            )
        )
    return MeterChart(width, row * len(values), label_width, bar_width, row, rows, title)
