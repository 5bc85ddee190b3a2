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
