"""The planner registry. A planner says, for one day and a set of owners, which actions should exist.

A planner is a plain function ``planner(day, now, owners) -> Iterable[ActionSpec]`` registered with
``@planner("name")``. It must use set-based queries (it may be asked about a million customers) and
never write: the engine in ``engine.py`` upserts what it yields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from extramile.accounts.models import User


@dataclass(frozen=True, slots=True)
class ActionSpec:
    key: str
    kind: str
    owner_id: int
    title: str
    due_on: dt.date
    priority: int
    customer_id: int | None = None
    household_id: int | None = None
    detail: str = ""
    due_at: dt.datetime | None = None
    expires_on: dt.date | None = None


if TYPE_CHECKING:
    from extramile.agenda.models import Action

Planner = Callable[[dt.date, dt.datetime, QuerySet[User]], Iterable[ActionSpec]]
Preparer = Callable[[dt.date, dt.datetime, QuerySet[User]], int]

PLANNERS: dict[str, Planner] = {}
# Preparers run before the planners and may write their own app's records (cards planned ahead of
# their mail-by date, say); they return how many records they created.
PREPARERS: dict[str, Preparer] = {}
# What else happens when an action of a kind is marked done on Today, in the same transaction: a
# reply owed marks its message replied, a promise is marked met. ``completer(action, now, outcome)``.
Completer = Callable[["Action", dt.datetime, str], None]
COMPLETERS: dict[str, Completer] = {}


def completer(kind: str) -> Callable[[Completer], Completer]:
    def register(function: Completer) -> Completer:
        if kind in COMPLETERS and COMPLETERS[kind] is not function:
            raise ValueError(f"A completer for {kind!r} is registered already.")
        COMPLETERS[kind] = function
        return function

    return register


def preparer(name: str) -> Callable[[Preparer], Preparer]:
    def register(function: Preparer) -> Preparer:
        if name in PREPARERS and PREPARERS[name] is not function:
            raise ValueError(f"A preparer named {name!r} is registered already.")
        PREPARERS[name] = function
        return function

    return register


def planner(name: str) -> Callable[[Planner], Planner]:
    def register(function: Planner) -> Planner:
        if name in PLANNERS and PLANNERS[name] is not function:
            raise ValueError(f"A planner named {name!r} is registered already.")
        PLANNERS[name] = function
        return function

    return register
