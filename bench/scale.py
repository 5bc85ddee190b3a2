"""Growth: plan, Today, the web mix and the December season at growing book sizes.

    python bench/scale.py [--sizes 100000,300000,1000000,2000000] [--parts plan,web,season]
    python bench/scale.py --report          # only rewrite the table and chart from the results

Runs ``bench/plan.py``, ``bench/web.py`` and ``bench/cards.py`` (the season only, no printing) at
each size, 200 reps (1,000 at 2,000,000 customers), on SQLite and, with
EXTRAMILE_TEST_DATABASE_URL set, on PostgreSQL; reads the figures from their output, keeps them in
``bench/scale-results.json`` (each size and part as it finishes, so a long run that is stopped
keeps what it measured) and writes a table and an SVG chart of time against size into
``docs/benchmarks.md`` (between the ``scale:begin`` / ``scale:end`` markers) and
``docs/scale.svg``. Each step is also shown per 100,000 customers: a step whose cost grows no
faster than linearly keeps that figure flat or falling; one that touches only a day's work
should not grow with the book at all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "scale-results.json"
DOC = HERE.parent / "docs" / "benchmarks.md"
SVG = HERE.parent / "docs" / "scale.svg"
BEGIN, END = "<!-- scale:begin -->", "<!-- scale:end -->"

# Which output lines are kept: (part, step as shown, the line's label, the unit it is printed in).
STEPS = [
    ("plan", "plan one day, first run", r"plan one day, first run"),
    ("plan", "plan again", r"plan the same day again \(idempotent\)"),
    ("plan", "Today, one rep", r"today\(\) for one rep, median of \d+"),
    ("web", "web p95, all pages", r"all pages"),
    (
        "season",
        "December season, first",
        r"plan December, first run|plan December \(first\)|plan December \(mail-by",
    ),
]
NUMBER = r"([0-9][0-9,]*\.?[0-9]*)\s*(ms|s)\b"


def reps_for(customers: int) -> int:
    return 1000 if customers >= 2_000_000 else 200


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", default="100000,300000,1000000,2000000")
    parser.add_argument("--parts", default="plan,web,season")
    parser.add_argument("--web-seconds", type=float, default=30)
    parser.add_argument("--report", action="store_true", help="only write the table and chart")
    return parser.parse_args()


def seconds(value: str, unit: str) -> float:
    number = float(value.replace(",", ""))
    return number / 1000 if unit == "ms" else number


def figures(part: str, output: str) -> dict[str, dict[str, float]]:
    """Engine → step → seconds, from one script's output (each engine's block starts with
    ``[sqlite]`` / ``[postgresql]``; web.py names its engine on its first line)."""
    found: dict[str, dict[str, float]] = {}
    engine = "sqlite"
    for line in output.splitlines():
        if line.startswith("[sqlite]") or "SQLite," in line:
            engine = "sqlite"
        elif line.startswith("[postgresql]") or "PostgreSQL," in line:
            engine = "postgresql"
        for step_part, step, label in STEPS:
            if step_part != part or not re.search(rf"^\s*(?:{label})", line):
                continue
            if part == "web":  # columns: requests, p50, p95, max (ms)
                columns = line.split()
                numbers = [c for c in columns if re.fullmatch(r"[0-9.]+", c)]
                if len(numbers) >= 3:
                    found.setdefault(engine, {})[step] = float(numbers[2]) / 1000
                continue
            match = re.search(NUMBER, line[line.index(re.search(label, line).group(0)) :])  # type: ignore[union-attr]
            if match:
                found.setdefault(engine, {})[step] = seconds(*match.groups())
            ratio = re.search(r"ratio to lower bound: ([0-9.]+)×", line)
            if ratio:
                found.setdefault(engine, {})[f"{step} (ratio)"] = float(ratio.group(1))
    return found


def command(part: str, customers: int, args: argparse.Namespace) -> list[list[str]]:
    reps = str(reps_for(customers))
    size = ["--customers", str(customers), "--reps", reps]
    python = sys.executable
    if part == "plan":
        return [[python, str(HERE / "plan.py"), *size, "--runs", "15"]]
    if part == "season":
        return [[python, str(HERE / "cards.py"), *size, "--print", "0"]]
    web = [python, str(HERE / "web.py"), *size, "--seconds", str(args.web_seconds)]
    runs = [web]
    if os.environ.get("EXTRAMILE_TEST_DATABASE_URL"):
        runs.append([*web, "--postgres"])
    return runs


def load() -> dict[str, dict]:
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else {}


def run(args: argparse.Namespace) -> None:
    results = load()
    for size in [int(s) for s in args.sizes.split(",")]:
        for part in args.parts.split(","):
            for line in command(part, size, args):
                print(f"$ {' '.join(line[1:])}", flush=True)
                done = subprocess.run(line, capture_output=True, text=True, check=False)
                print(done.stdout, done.stderr[-2000:] if done.returncode else "", flush=True)
                for engine, steps in figures(part, done.stdout).items():
                    entry = results.setdefault(engine, {}).setdefault(str(size), {})
                    entry.update(steps)
                    entry["measured"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
                RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True))
                report(results)


def chart(results: dict[str, dict]) -> str:
    """An SVG line chart: seconds (log scale) against customers, one line per engine and step."""
    import math

    width, height, left, bottom, top, right = 720, 420, 70, 50, 20, 230
    series = []
    for engine, sizes in sorted(results.items()):
        for _, step, _ in STEPS:
            points = sorted((int(size), row[step]) for size, row in sizes.items() if row.get(step))
            if points:
                series.append(
                    (f"{step} ({'SQLite' if engine == 'sqlite' else 'PostgreSQL'})", points)
                )
    all_x = [x for _, pts in series for x, _ in pts] or [100_000, 2_000_000]
    all_y = [y for _, pts in series for _, y in pts] or [0.001, 100]
    x0, x1 = math.log10(min(all_x)), math.log10(max(all_x))
    y0, y1 = math.floor(math.log10(min(all_y))), math.ceil(math.log10(max(all_y)))
    x1 = x1 if x1 > x0 else x0 + 1
    y1 = y1 if y1 > y0 else y0 + 1

    def px(x: float) -> float:
        return left + (math.log10(x) - x0) / (x1 - x0) * (width - left - right)

    def py(y: float) -> float:
        return height - bottom - (math.log10(y) - y0) / (y1 - y0) * (height - bottom - top)

    colours = ["#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#6c4f9c", "#00798c", "#8c564b"]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    for exponent in range(y0, y1 + 1):
        y = py(10**exponent)
        label = f"{10**exponent:g} s"
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    for x in sorted(set(all_x)):
        out.append(
            f'<line x1="{px(x):.1f}" x2="{px(x):.1f}" y1="{top}" y2="{height - bottom}" stroke="#eee"/>'
        )
        out.append(
            f'<text x="{px(x):.1f}" y="{height - bottom + 16}" text-anchor="middle">{x / 1e6:g}M</text>'
        )
    out.append(
        f'<text x="{(left + width - right) / 2}" y="{height - 12}" text-anchor="middle">'
        "customers (log scale)</text>"
    )
    for n, (name, points) in enumerate(series):
        colour = colours[n % len(colours)]
        dash = ' stroke-dasharray="5,3"' if "PostgreSQL" in name else ""
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in points)
        out.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        for x, y in points:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>')
        ly = top + 14 * n + 8
        out.append(
            f'<line x1="{width - right + 10}" x2="{width - right + 30}" y1="{ly}" y2="{ly}" '
            f'stroke="{colour}" stroke-width="2"{dash}/>'
        )
        out.append(f'<text x="{width - right + 34}" y="{ly + 4}">{name}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def table(results: dict[str, dict]) -> str:
    lines = []
    for engine, sizes in sorted(results.items()):
        name = "SQLite" if engine == "sqlite" else "PostgreSQL"
        ordered = sorted(sizes, key=int)
        lines.append(
            f"**{name}** (seconds; per 100,000 customers in brackets; ratio to lower bound where measured)\n"
        )
        lines.append("| step | " + " | ".join(f"{int(s):,}" for s in ordered) + " |")
        lines.append("| --- |" + " --- |" * len(ordered))
        for _, step, _ in STEPS:
            cells = []
            for size in ordered:
                row = sizes[size]
                value = row.get(step)
                if value is None:
                    cells.append("–")
                    continue
                per = value / (int(size) / 100_000)
                ratio = row.get(f"{step} (ratio)")
                shown = f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
                cells.append(
                    f"{shown} ({per * 1000:.1f} ms)" + (f", {ratio:.1f}×" if ratio else "")
                    if value < 1
                    else f"{shown} ({per:.2f} s)" + (f", {ratio:.1f}×" if ratio else "")
                )
            if any(c != "–" for c in cells):
                lines.append(f"| {step} | " + " | ".join(cells) + " |")
        when = sorted({row.get("measured", "") for row in sizes.values()} - {""})
        if when:
            lines.append(
                f"\nMeasured {when[0]}" + (f" – {when[-1]}" if len(when) > 1 else "") + ".\n"
            )
    return "\n".join(lines)


def report(results: dict[str, dict]) -> None:
    SVG.write_text(chart(results))
    block = f"{BEGIN}\n\n{table(results)}\n\n![time against size](scale.svg)\n\n{END}"
    text = DOC.read_text()
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text)


def main() -> None:
    args = parse()
    if args.report:
        report(load())
        return
    run(args)


if __name__ == "__main__":
    main()
