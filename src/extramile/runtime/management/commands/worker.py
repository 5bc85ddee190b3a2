"""``extramile worker``: the scheduler tick plus the django-tasks-db task loop, in one process.

Run as many as you like (on PostgreSQL, on several machines): the scheduler claims each job and
period with a unique row, and the queue hands each task to one worker (SKIP LOCKED).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from extramile import clock
from extramile.ops.heartbeat import HeartbeatThread
from extramile.runtime.scheduler import enqueue_due

log = logging.getLogger("extramile.worker")


def task_worker(
    worker_id: str, batch: bool, interval: float = 0, queues: list[str] | None = None
) -> Worker:
    """django-tasks-db's worker over ``queues`` of the default backend (default: every one)."""
    return Worker(
        queue_names=queues or ["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def run_batch(worker_id: str = "batch", now: dt.datetime | None = None) -> list[str]:
    """Enqueue the jobs due ``now``, run every ready task, and return what was enqueued."""
    enqueued = enqueue_due(now or clock.now())
    task_worker(worker_id, batch=True).run()
    return enqueued


def parse_queues(text: str) -> list[str]:
    """``"default,plans"`` → the queue names, each checked against the settings; ``*``: all."""
    from django.conf import settings
    from django.core.management.base import CommandError

    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names or names == ["*"]:
        return ["*"]
    known = settings.TASKS["default"].get("QUEUES", ["default"])
    unknown = [name for name in names if name not in known]
    if unknown:
        raise CommandError(
            f"No queue named {', '.join(unknown)}: the queues are {', '.join(known)}."
        )
    return names


class SchedulerThread(threading.Thread):
    def __init__(self, every: float) -> None:
        super().__init__(name="extramile-scheduler", daemon=True)
        self.every = every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                enqueue_due(clock.now())
            except Exception:
                log.exception("The scheduler tick failed; trying again shortly.")
            finally:
                connection.close()
            self.stopped.wait(self.every)


class Command(BaseCommand):
    help = "Run scheduled jobs (the nightly plan in each user's time zone) and queued tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="queue poll, seconds")
        parser.add_argument("--tick", type=float, default=30.0, help="schedule check, seconds")
        parser.add_argument(
            "--batch", action="store_true", help="enqueue due jobs once, run all tasks, exit"
        )
        parser.add_argument(
            "--queues",
            default="*",
            help="the queues to take tasks from, comma-separated: default (e-mail, digests, "
            "mailbox polls), plans (the nightly plans); * for every one (the default)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = get_random_string(32)
        queues = parse_queues(options["queues"])
        if options["batch"]:
            heartbeat = HeartbeatThread(worker_id)
            heartbeat.start()
            try:
                enqueued = run_batch(worker_id)
            finally:
                heartbeat.stopped.set()
            self.stdout.write(f"Enqueued {len(enqueued)} jobs; the queue is empty.")
            return
        logging.getLogger("django_tasks_db").setLevel(logging.INFO)
        scheduler = SchedulerThread(options["tick"])
        scheduler.start()
        heartbeat = HeartbeatThread(worker_id)
        heartbeat.start()
        self.stdout.write(
            f"Worker {worker_id[:8]} started (queues: {', '.join(queues)}; "
            f"poll {options['interval']} s)."
        )
        worker = task_worker(worker_id, batch=False, interval=options["interval"], queues=queues)
        worker.configure_signals()
        try:
            worker.run()
        finally:
            scheduler.stopped.set()
            heartbeat.stopped.set()
