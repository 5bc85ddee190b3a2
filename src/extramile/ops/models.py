"""What operations keep in the database: each worker's heartbeat, and which request enqueued a
task (so the worker's log lines carry the request's id)."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """Written by every ``extramile worker`` every 30 seconds; ``/readyz`` wants one younger than
    two minutes. Rows of workers gone for a day are deleted by the next beat."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["seen_at"], name="heartbeat_seen")]

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class TaskOrigin(models.Model):
    """The request id of the web request that enqueued a task; deleted when the task finishes."""

    task_id = models.CharField(max_length=64, primary_key=True)
    request_id = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.task_id} ← {self.request_id}"
