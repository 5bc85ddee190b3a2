"""The request id: one per web request (the caller's ``X-Request-ID`` when it is sane, else a new
one), on every log line written while the request runs, sent back in the response, and carried
into the tasks the request enqueues: the worker logs their lines under the same id.

Outside a request the id is ``-``; a task the scheduler enqueued gets a fresh id for its run.
"""

from __future__ import annotations

import contextvars
import logging
import re
import threading
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

NONE = "-"
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar(
    "extramile_request_id", default=NONE
)
# Letters, digits and . _ : - only, at most 64: a header cannot forge log lines or fill the disk.
ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,64}")

log = logging.getLogger("extramile.tasks")


def new_id() -> str:
    return uuid.uuid4().hex


def accept(value: str | None) -> str:
    """The caller's id if it is sane, else a new one."""
    if value and ACCEPTED.fullmatch(value):
        return value
    return new_id()


def current() -> str | None:
    value = REQUEST_ID.get()
    return None if value == NONE else value


class RequestIdFilter(logging.Filter):
    """Puts ``record.request_id`` on every record a handler writes (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class RequestIdMiddleware:
    """Outermost middleware: sets the id for everything below it and returns it in
    ``X-Request-ID``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accept(request.headers.get("X-Request-ID"))
        token = REQUEST_ID.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            REQUEST_ID.reset(token)
        response["X-Request-ID"] = request_id
        return response


# The worker runs one task at a time per thread: what task_started set, task_finished undoes.
_running = threading.local()


def on_enqueued(sender: type, task_result: Any, **kwargs: Any) -> None:
    """A task enqueued during a request (or a task) remembers the id, in the same transaction."""
    from django_tasks_db import DatabaseBackend

    request_id = current()
    if request_id is None or not issubclass(sender, DatabaseBackend):
        return
    from extramile import clock
    from extramile.ops.models import TaskOrigin

    TaskOrigin.objects.create(
        task_id=str(task_result.id), request_id=request_id, created_at=clock.now()
    )
    log.info("Enqueued task %s (%s)", task_result.id, task_result.task.name)


def on_started(sender: type, task_result: Any, **kwargs: Any) -> None:
    """In the worker: run the task under the id of the request that enqueued it, or a new one."""
    if current() is not None:  # the immediate backend, inside the request itself
        _running.token = None
        return
    from extramile.ops.models import TaskOrigin

    origin = (
        TaskOrigin.objects.filter(task_id=str(task_result.id))
        .values_list("request_id", flat=True)
        .first()
    )
    _running.token = REQUEST_ID.set(origin or new_id())
    log.info(
        "Task %s (%s) started%s",
        task_result.id,
        task_result.task.name,
        " for a web request" if origin else "",
    )


def on_finished(sender: type, task_result: Any, **kwargs: Any) -> None:
    token = getattr(_running, "token", None)
    if token is None:
        return
    _running.token = None
    try:
        from extramile.ops.models import TaskOrigin

        TaskOrigin.objects.filter(task_id=str(task_result.id)).delete()
    finally:
        REQUEST_ID.reset(token)


def connect_task_signals() -> None:
    from django_tasks import signals
    from django_tasks.signals import task_enqueued, task_finished, task_started

    task_enqueued.connect(on_enqueued, dispatch_uid="extramile.ops.enqueued")
    # Ours before django-tasks' own "state=RUNNING" line, so that line has the id too; its
    # "state=SUCCESSFUL/FAILED" line (with the traceback) comes before ours resets it.
    task_started.disconnect(signals.log_task_started)
    task_started.connect(on_started, dispatch_uid="extramile.ops.started")
    task_started.connect(signals.log_task_started)
    task_finished.connect(on_finished, dispatch_uid="extramile.ops.finished")
