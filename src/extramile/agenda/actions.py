"""The one way to write actions: put one, put many, close or reopen by key, discard.

Every feature and the engine write ``Action`` rows through these functions, so the rules hold in
one place: the kind is a registered habit's (``agenda.habits``), titles fit their column, a
closed action is never closed again (``status IN ('open', 'snoozed')`` guards every close), and
what a rep did is never undone by a re-plan.

Keys are built and read by the habit that owns them (``habit.key.build(...)``); this module only
matches them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any

from extramile.agenda.habits import get
from extramile.agenda.models import Action, ActionStatus
from extramile.agenda.registry import ActionSpec

PENDING = [ActionStatus.OPEN, ActionStatus.SNOOZED]
CLOSED = [ActionStatus.DONE, ActionStatus.SKIPPED]
# What a re-plan refreshes on an action that exists already: its wording and its place.
REFRESHED = ("title", "detail", "priority")
SPEC_FIELDS = (
    "kind",
    "owner_id",
    "customer_id",
    "household_id",
    "title",
    "detail",
    "due_on",
    "due_at",
    "expires_on",
    "priority",
)
STATE_FIELDS = frozenset({"status", "outcome", "completed_at", "value_answer"})


def fields_of(spec: ActionSpec) -> dict[str, Any]:
    """The columns an action spec sets; the kind must be a registered habit's."""
    get(spec.kind)
    values = {name: getattr(spec, name) for name in SPEC_FIELDS}
    values["title"] = spec.title[:200]
    return values


def put(
    spec: ActionSpec, now: dt.datetime, *, refresh: Collection[str] = (), **state: Any
) -> Action:
    """Write the action ``spec`` describes and return it.

    A new key is created from the spec (and ``state``: status, outcome, completed_at). An action
    whose key exists keeps what it has, except the spec's fields named in ``refresh`` and every
    ``state`` field given: a feature whose record has its own state (a service request, a
    message, an invitation) keeps its action in step that way."""
    unknown = set(state) - STATE_FIELDS
    if unknown:
        raise TypeError(f"Not an action's state: {', '.join(sorted(unknown))}.")
    values = fields_of(spec)
    created = {**values, **state, "created_at": now, "updated_at": now}
    if not refresh and not state:
        action, _ = Action.objects.get_or_create(key=spec.key, defaults=created)
        return action
    changed = {name: values[name] for name in refresh} | state | {"updated_at": now}
    action, _ = Action.objects.update_or_create(
        key=spec.key, defaults=changed, create_defaults=created
    )
    return action


def put_many(specs: list[ActionSpec], now: dt.datetime) -> int:
    """Write one batch (``INSERT … ON CONFLICT (key) DO UPDATE`` of the wording and priority only,
    so a re-plan never undoes what a rep did); return how many actions are new.

    Only the new actions and those whose wording or priority changed are written: re-planning a
    day that is planned already reads the batch's keys once and writes nothing."""
    values = {spec.key: fields_of(spec) for spec in specs}
    existing = {
        key: refreshed
        for key, *refreshed in Action.objects.filter(key__in=values).values_list("key", *REFRESHED)
    }
    rows = [
        Action(key=key, **fields, created_at=now, updated_at=now)
        for key, fields in values.items()
        if existing.get(key) != [fields[name] for name in REFRESHED]
    ]
    if rows:
        # Still an upsert: a key another worker wrote since the read above is refreshed, not
        # an error.
        Action.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=[*REFRESHED, "updated_at"],
        )
    return len(values.keys() - existing.keys())


def close(
    keys: str | Iterable[str],
    now: dt.datetime,
    status: str = ActionStatus.DONE,
    outcome: str | None = None,
) -> int:
    """Close the pending actions with these keys as done (or skipped, or missed) with an outcome;
    return how many were still pending. One click wins: an action closed already is left alone."""
    keys = [keys] if isinstance(keys, str) else list(keys)
    if not keys:
        return 0
    changes: dict[str, Any] = {"status": status, "updated_at": now}
    if status != ActionStatus.MISSED:
        changes["completed_at"] = now
    if outcome is not None:
        changes["outcome"] = outcome
    return Action.objects.filter(key__in=keys, status__in=PENDING).update(**changes)


def reopen(keys: str | Iterable[str], now: dt.datetime) -> int:
    """Put done or skipped actions back on Today (a record taken back, say)."""
    keys = [keys] if isinstance(keys, str) else list(keys)
    return Action.objects.filter(key__in=keys, status__in=CLOSED).update(
        status=ActionStatus.OPEN, outcome="", completed_at=None, updated_at=now
    )


def discard(keys: str | Iterable[str]) -> int:
    """Delete pending actions that no longer stand for work (a message that lost its owner)."""
    keys = [keys] if isinstance(keys, str) else list(keys)
    deleted, _ = Action.objects.filter(key__in=keys, status__in=PENDING).delete()
    return deleted


def amend(
    key: str, now: dt.datetime, *, outcome: str | None = None, value_answer: str | None = None
) -> int:
    """Write what was learnt after the fact: a closed call's fuller outcome, the answer to the
    value question given when a lunch invitation went out."""
    changes: dict[str, Any] = {"updated_at": now}
    if outcome is not None:
        changes["outcome"] = outcome
    if value_answer is not None:
        changes["value_answer"] = value_answer
    return Action.objects.filter(key=key).update(**changes)
