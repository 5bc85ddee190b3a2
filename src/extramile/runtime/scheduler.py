"""The schedule: which jobs are due now. Called every few seconds by every running worker.

Each job and period is claimed by inserting a ``ScheduledRun`` row with a unique key, so however
many workers tick at once, only one enqueues the job; the task queue (django-tasks-db, with
``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL) then hands it to exactly one worker.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from extramile.accounts.models import User
from extramile.agenda import engine
from extramile.agenda.models import ScheduledRun
from extramile.runtime.tasks import plan_zone, send_digest, send_outbox

log = logging.getLogger(__name__)


def enqueue_due(now: dt.datetime) -> list[str]:
    """Enqueue every job due at ``now`` that no worker has enqueued yet; return their keys."""
    plan_after = dt.timedelta(minutes=settings.EXTRAMILE_PLAN_AT_MINUTE)
    enqueued = []
    for zone in sorted(engine.zones(User.objects.filter(is_active=True))):
        local = now.astimezone(zoneinfo.ZoneInfo(zone))
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if local - midnight < plan_after:
            continue
        day = local.date().isoformat()
        key = f"plan:{zone}:{day}"
        if claim(key, now, functools.partial(plan_zone.enqueue, day, zone)):
            enqueued.append(key)
            log.info("Enqueued %s", key)
    enqueued += enqueue_digests(now)
    outbox = enqueue_outbox(now)
    if outbox:
        enqueued.append(outbox)
    mailsync = enqueue_mailsync(now)
    if mailsync:
        enqueued.append(mailsync)
    return enqueued


def claim(key: str, now: dt.datetime, enqueue: Callable[[], Any]) -> bool:
    """Claim ``key`` and enqueue its task in one transaction (both or neither); False when another
    worker claimed it first."""
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(key=key, created_at=now)
            result = enqueue()
            ScheduledRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
    except IntegrityError:
        return False
    return True


# A digest is sent from the user's chosen time until this much later (a worker that was down at 07:00
# still sends at 08:00, not in the evening).
DIGEST_WINDOW = dt.timedelta(hours=3)


def enqueue_digests(now: dt.datetime) -> list[str]:
    """One digest job per user and local day, at their chosen time."""
    from extramile.runtime.digest import due_users

    keys = []
    for user, day in due_users(now, DIGEST_WINDOW):
        key = f"digest:{user.pk}:{day.isoformat()}"
        if claim(key, now, functools.partial(send_digest.enqueue, user.pk, day.isoformat())):
            keys.append(key)
    return keys


def enqueue_outbox(now: dt.datetime) -> str | None:
    """While e-mail is queued, one send job per minute (the outbox keeps its own rate limit)."""
    from extramile.outbox.models import OutboxMessage, Status

    if not OutboxMessage.objects.filter(status=Status.QUEUED).exists():
        return None
    key = f"outbox:{now.astimezone(dt.UTC):%Y-%m-%dT%H:%M}"
    return key if claim(key, now, send_outbox.enqueue) else None  # None: already enqueued


def enqueue_mailsync(now: dt.datetime) -> str | None:
    """While a mailbox is connected, one poll job per minute (each mailbox is polled when due)."""
    from extramile.mailsync.models import MailboxConnection
    from extramile.mailsync.tasks import poll_mailboxes

    if not MailboxConnection.objects.filter(paused=False, user__is_active=True).exists():
        return None
    key = f"mailsync:{now.astimezone(dt.UTC):%Y-%m-%dT%H:%M}"
    return key if claim(key, now, poll_mailboxes.enqueue) else None  # None: already enqueued
