"""One clock at the edges: nothing in ``src/`` reads the wall clock but ``extramile.clock``.

Pages, the API, commands and the worker call ``clock.now()``; business code takes ``now`` as an
argument. A direct ``timezone.now()``, ``datetime.now()``, ``date.today()`` (and their kin) anywhere
else makes a page disagree with a test that travelled in time, so this test names the line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import extramile

SRC = Path(extramile.__file__).parent
ALLOWED = {SRC / "clock.py"}
# attribute calls that read the wall clock, whatever the module was imported as
WALL_CLOCK = {"now", "today", "utcnow", "localdate", "localtime", "utcfromtimestamp"}
OWNERS = {"timezone", "datetime", "date", "dt"}


def _owner(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):  # dt.datetime.now, datetime.date.today
        return node.attr
    return None


def wall_clock_calls(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name, owner = node.func.attr, _owner(node.func.value)
        if name not in WALL_CLOCK or owner not in OWNERS:
            continue
        if name in {"localdate", "localtime"} and node.args:  # converting a given moment is fine
            continue
        found.append((node.lineno, ast.unparse(node)))
    return found


def test_only_the_clock_module_reads_the_wall_clock():
    offenders = [
        f"{path.relative_to(SRC.parent)}:{line}: {call}"
        for path in sorted(SRC.rglob("*.py"))
        if path not in ALLOWED and "migrations" not in path.parts
        for line, call in wall_clock_calls(path.read_text())
    ]
    assert not offenders, "read the time with extramile.clock.now():\n" + "\n".join(offenders)


def test_the_check_sees_each_spelling():
    source = "\n".join(
        [
            "timezone.now()",
            "dt.datetime.now(dt.UTC)",
            "datetime.date.today()",
            "date.today()",
            "timezone.localdate()",
            "timezone.localdate(moment)",
            "clock.now()",
        ]
    )
    assert [line for line, _ in wall_clock_calls(source)] == [1, 2, 3, 4, 5]
