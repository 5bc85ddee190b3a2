"""Server-side SVG charts: numbers in, coordinates out; the template draws them.

No JavaScript library: a chart is a small dataclass of coordinates that a template
(``templates/charts/_bars.html``) turns into an ``<svg role="img">`` with a ``<title>``. The
numbers behind every chart are also shown as text or a table on the page, so nothing is only
in the picture. The check-in trend (``culture.checkins.chart``) is the line chart; this module
holds the bar chart that insights draws, and is the place for the next one.
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
) -> BarChart:
    """Bars for ``(label, value, tooltip)``; a ``None`` value leaves a gap (nothing to measure).

    ``top`` fixes the scale (100 for percentages), else it is rounded up from the largest value;
    ``every`` labels every n-th bar only, so 24 months stay legible.
    """
    largest = max((v for _, v, _ in values if v is not None), default=0.0)
    scale_top = top if top is not None else nice_top(largest)
    inner_w = WIDTH - 2 * PAD
    inner_h = HEIGHT - PAD - TOP
    baseline = float(HEIGHT - PAD)
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
    return BarChart(WIDTH, HEIGHT, bars, grid, baseline, title)
