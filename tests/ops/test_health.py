"""/healthz and /readyz: the process, the database, the migrations and the workers' heartbeat."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from extramile.ops import health
from extramile.ops.heartbeat import beat

NOW = dt.datetime(2026, 11, 23, 14, 30, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_healthz_answers_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.time_machine(NOW)
def test_readyz_wants_a_worker_heartbeat_younger_than_two_minutes(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "worker": "no worker has ever reported",
    }

    beat("w1", NOW - dt.timedelta(minutes=3))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "last heartbeat 180 s ago"

    beat("w2", NOW - dt.timedelta(seconds=20))
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "worker": "ok"},
    }


@pytest.mark.django_db
def test_a_heartbeat_refreshes_its_row_and_forgets_workers_gone_for_a_day():
    from extramile.ops.models import WorkerHeartbeat

    beat("gone", NOW - dt.timedelta(days=2))
    beat("alive", NOW - dt.timedelta(minutes=1))
    beat("alive", NOW)
    assert list(WorkerHeartbeat.objects.values_list("worker_id", "seen_at")) == [("alive", NOW)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.time_machine(NOW)
def test_readyz_names_unapplied_migrations(client, monkeypatch):
    from django.core.management import call_command

    beat("w", NOW)
    monkeypatch.setattr(health, "_migrations_ok_until", 0.0)
    call_command("migrate", "ops", "zero", verbosity=0)
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["migrations"] == "1 not applied"
        assert response.json()["checks"]["worker"].startswith("unknown")
    finally:
        call_command("migrate", "ops", verbosity=0)


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from django.db import OperationalError

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "unreachable (OperationalError)",
        "migrations": "unknown",
        "worker": "unknown",
    }


@pytest.mark.django_db(transaction=True)
def test_tasks_left_running_by_a_dead_worker_are_requeued_and_run(company, owner):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from extramile.ops.heartbeat import requeue_orphans
    from extramile.runtime.management.commands.worker import run_batch
    from extramile.runtime.tasks import plan_zone

    def running(worker: str, started: dt.datetime) -> str:
        result = plan_zone.enqueue("2026-11-23", "America/New_York")
        DBTaskResult.objects.filter(pk=result.id).update(
            status=TaskResultStatus.RUNNING, started_at=started, worker_ids=[worker]
        )
        return str(result.id)

    beat("dead", NOW - dt.timedelta(minutes=3))
    beat("busy", NOW - dt.timedelta(seconds=10))
    killed = running("dead", NOW - dt.timedelta(minutes=4))
    long_task = running("busy", NOW - dt.timedelta(minutes=30))  # a long plan, its worker alive
    just_claimed = running("dead", NOW - dt.timedelta(seconds=30))

    assert requeue_orphans(NOW) == 1
    status = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert {str(pk): value for pk, value in status.items()} == {
        killed: TaskResultStatus.READY,
        long_task: TaskResultStatus.RUNNING,
        just_claimed: TaskResultStatus.RUNNING,
    }
    assert requeue_orphans(NOW) == 0

    run_batch(worker_id="rescuer", now=NOW)
    again = DBTaskResult.objects.get(pk=killed)
    assert again.status == TaskResultStatus.SUCCESSFUL
    assert again.worker_ids == ["dead", "rescuer"]
