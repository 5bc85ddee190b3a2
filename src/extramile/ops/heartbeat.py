"""Each worker's heartbeat: one row per worker, refreshed every ``EVERY`` seconds."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading

from django.db import close_old_connections, connection

from extramile import clock

log = logging.getLogger("extramile.worker")

EVERY = 30.0
# Readiness: a worker seen within this long is alive.
ALIVE = dt.timedelta(minutes=2)
# A row not refreshed for this long belongs to a worker that is gone: the next beat deletes it.
FORGET = dt.timedelta(days=1)


def beat(worker_id: str, now: dt.datetime, started_at: dt.datetime | None = None) -> None:
    from extramile.ops.models import WorkerHeartbeat

    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.create(
            worker_id=worker_id,
            hostname=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=started_at or now,
            seen_at=now,
        )
        WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET).delete()


def requeue_orphans(now: dt.datetime) -> int:
    """Put back in the queue the tasks left "running" by a worker that died (``kill -9``, a lost
    machine): its heartbeat is older than ``ALIVE``. Every ExtraMile task is safe to run again (the
    plan upserts by key, the outbox claims each row, the digest's outbox key is unique, the poll
    claims its mailbox), so a task is never lost to a dead worker, only run again after it."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from extramile.ops.models import WorkerHeartbeat

    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=now - ALIVE).values_list("worker_id", flat=True)
    )
    requeued = 0
    for pk, worker_ids in DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - ALIVE
    ).values_list("pk", "worker_ids"):
        if worker_ids and worker_ids[-1] in alive:
            continue
        # Only if it is still running as read: a worker finishing it meanwhile wins.
        requeued += DBTaskResult.objects.filter(
            pk=pk, status=TaskResultStatus.RUNNING, worker_ids=worker_ids
        ).update(status=TaskResultStatus.READY, started_at=None)
    if requeued:
        log.warning("Requeued %s task(s) left running by a worker that stopped.", requeued)
    return requeued


def youngest(now: dt.datetime) -> dt.datetime | None:
    """When the most recently seen worker was last seen (None: never)."""
    from extramile.ops.models import WorkerHeartbeat

    return WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()


class HeartbeatThread(threading.Thread):
    """Beats every ``every`` seconds until stopped; a failed beat (the database restarting) is
    logged and tried again at the next one."""

    def __init__(self, worker_id: str, every: float = EVERY) -> None:
        super().__init__(name="extramile-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.every = every
        self.started_at = clock.now()
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                beat(self.worker_id, clock.now(), self.started_at)
                requeue_orphans(clock.now())
            except Exception:
                log.warning("The worker heartbeat could not be written; trying again shortly.")
            finally:
                connection.close()
            self.stopped.wait(self.every)
