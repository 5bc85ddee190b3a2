"""The habit registry: every kind of action declares itself once, in its own app.

A ``Habit`` says everything the rest of the product needs to know about one kind of action: its
label, its place on Today, whether it is a value-adding extra (asked "how will this create more
value?") and whether it waits while the customer has an overdue promise (the engine drops such
actions for a customer who has one), whether a row template brings its own buttons, whether the row shows its own deadline, whether the calendar feed shows
the action (or the feature's own records instead), and how its unique keys are built and read.

A feature registers its habits in its ``AppConfig.ready`` (``register(Habit(...))``); Today, the
calendar feed, exports, erasure and the demo iterate over the registry and never name a feature.
``Action.kind`` is checked against it when an action is written (``agenda.actions``), so a new
kind needs no migration.

Demo data is registered the same way (``demo(order)``): a feature's populate function, run by the
demo in ``order`` with its own seeded random generator.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError


@dataclass(frozen=True, slots=True)
class Key:
    """How one family of action keys is built and read: ``<prefix>:<part>:<part>…``.

    Only the habit that owns a prefix builds or parses its keys, so a key's layout changes in one
    place."""

    prefix: str

    def build(self, *parts: object) -> str:
        return ":".join(
            [self.prefix, *(p.isoformat() if isinstance(p, dt.date) else str(p) for p in parts)]
        )

    def owns(self, key: str) -> bool:
        return key.startswith(f"{self.prefix}:")

    def parts(self, key: str) -> list[str] | None:
        """The parts after the prefix, or ``None`` for a key of another family."""
        if not self.owns(key):
            return None
        return key[len(self.prefix) + 1 :].split(":")

    def id(self, key: str) -> int | None:
        """The record id a key of the form ``<prefix>:<id>`` names, or ``None``."""
        parts = self.parts(key)
        if not parts or len(parts) != 1 or not parts[0].isdigit():
            return None
        return int(parts[0])

    def ids(self, keys: Iterable[str]) -> dict[str, int]:
        """Key → record id for the keys of this family among ``keys`` (one page's rows, say)."""
        found = {}
        for key in keys:
            pk = self.id(key)
            if pk is not None:
                found[key] = pk
        return found


@dataclass(frozen=True, slots=True)
class Habit:
    kind: str  # stored in ``Action.kind`` (at most 30 characters)
    label: str  # "Proactive call"
    priority: int  # Today's order (``agenda.models.Priority``), lower first
    key: Key  # the keys of this kind's actions
    value_adding: bool = False  # done only with an answer to the value question
    held_back: bool = False  # not suggested while the customer has an overdue promise
    # The row brings its own buttons on Today: the template ``agenda/kinds/<kind>.html``, kept in
    # the feature's own ``templates`` folder.
    has_row: bool = False
    own_deadline: bool = False  # the row shows its own deadline: no generic "due" line
    in_calendar: bool = True  # False: the calendar feed shows the feature's records instead
    # Fetch the records behind a page of this kind's actions in one query and attach them to
    # the actions (Today's rows read them instead of a query per row).
    prefetch: Callable[[list[Any]], None] | None = None


HABITS: dict[str, Habit] = {}


def register(*habits: Habit) -> None:
    """Register a feature's habits (from its ``AppConfig.ready``)."""
    for habit in habits:
        if len(habit.kind) > 30:
            raise ValueError(f"A habit's kind is at most 30 characters: {habit.kind!r}.")
        known = HABITS.get(habit.kind)
        if known is not None and known != habit:
            raise ValueError(f"A habit of kind {habit.kind!r} is registered already.")
        if any(h.key.prefix == habit.key.prefix and h.kind != habit.kind for h in HABITS.values()):
            raise ValueError(f"Another habit builds {habit.key.prefix!r} keys already.")
        HABITS[habit.kind] = habit


def get(kind: str) -> Habit:
    try:
        return HABITS[kind]
    except KeyError:
        raise ValidationError(f"{kind!r} is not a kind of action.") from None


def all_habits() -> list[Habit]:
    return list(HABITS.values())


def labels() -> dict[str, str]:
    return {habit.kind: habit.label for habit in HABITS.values()}


def kinds_where(**flags: bool) -> frozenset[str]:
    """The kinds whose habit has every flag given, e.g. ``kinds_where(value_adding=True)``."""
    return frozenset(
        habit.kind
        for habit in HABITS.values()
        if all(getattr(habit, name) == wanted for name, wanted in flags.items())
    )


def prefetch(actions: list[Any]) -> None:
    """Let each habit attach the records behind these actions: one query per kind on the page."""
    by_kind: dict[str, list[Any]] = {}
    for action in actions:
        by_kind.setdefault(action.kind, []).append(action)
    for kind, rows in by_kind.items():
        habit = HABITS.get(kind)
        if habit is not None and habit.prefetch is not None:
            habit.prefetch(rows)


def validate_kind(kind: str) -> None:
    get(kind)


# Demo data, per feature: ``populate(now, rng) -> int`` (how many records it made).
Populate = Callable[[dt.datetime, random.Random], int]


@dataclass(frozen=True, slots=True)
class Demo:
    name: str
    order: int  # run in this order; the populate gets ``random.Random(seed + order)``
    populate: Populate


DEMOS: dict[str, Demo] = {}


def demo(name: str, order: int) -> Callable[[Populate], Populate]:
    def register_demo(function: Populate) -> Populate:
        known = DEMOS.get(name)
        if known is not None and known.populate is not function:
            raise ValueError(f"A demo named {name!r} is registered already.")
        if any(d.order == order and d.name != name for d in DEMOS.values()):
            raise ValueError(f"Another demo runs at order {order}.")
        DEMOS[name] = Demo(name, order, function)
        return function

    return register_demo


def demos() -> list[Demo]:
    return sorted(DEMOS.values(), key=lambda d: d.order)
