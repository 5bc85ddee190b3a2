"""Background jobs, run by ``extramile worker`` through Django's Tasks API (django-tasks)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from extramile import clock
from extramile.accounts.models import User
from extramile.agenda import engine
from extramile.db_operations import refresh_statistics
from extramile.imports.cleanup import forget_old_uploads

# The nightly plan of a zone runs for minutes on a big book: quick jobs (sending e-mail, the
# digest, mailbox polls: priority 0) are taken first, so they never wait behind a night of plans.
PLAN_PRIORITY = -10
# ... and they have a queue of their own, so a worker can be kept to the quick jobs:
# ``extramile worker --queues default`` (docs/operations.md, "Workers").
PLAN_QUEUE = "plans"


@task(priority=PLAN_PRIORITY, queue_name=PLAN_QUEUE)
def plan_zone(day: str, zone: str) -> dict[str, object]:
    """Plan ``day`` for every active user whose local time zone is ``zone``; then count their
    books' rollups for the day (after the plan: Today comes first) and, on SQLite, the query
    planner's statistics."""
    from extramile.rollups.store import refresh_all

    ids = engine.zones(User.objects.filter(is_active=True)).get(zone, [])
    summary = engine.plan(dt.date.fromisoformat(day), clock.now(), User.objects.filter(pk__in=ids))
    refresh_all(ids, clock.now())
    forget_old_uploads(clock.now())
    refresh_statistics()
    return summary.as_dict()


@task()
def send_outbox() -> dict[str, object]:
    """Send queued e-mail within the company's rate (enqueued each minute while mail waits)."""
    from extramile.outbox.sending import send_batch

    return send_batch(clock.now()).as_dict()


@task()
def send_digest(user_id: int, day: str) -> dict[str, object]:
    """Queue one user's morning digest in the outbox (the outbox job sends it within a minute)."""
    from extramile.runtime import digest

    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return {"queued": False, "why": "no such user"}
    message = digest.queue(user, dt.date.fromisoformat(day), clock.now())
    return {"queued": message is not None}
