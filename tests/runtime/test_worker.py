"""The worker: the nightly plan is enqueued once per time zone and local day, and runs once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from extramile.agenda.models import Action
from extramile.book.models import Promise
from extramile.runtime.management.commands.worker import run_batch
from extramile.runtime.scheduler import enqueue_due
from tests.conftest import make_customer, make_user

# New York is UTC-5 in November: 05:10 UTC is 00:10 local, just past the plan time (00:05).
AFTER_MIDNIGHT_NY = dt.datetime(2026, 11, 23, 5, 10, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_nothing_is_enqueued_before_the_plan_time(company, owner):
    before = dt.datetime(2026, 11, 23, 5, 3, tzinfo=dt.UTC)  # 00:03 in New York
    assert [k for k in enqueue_due(before) if "New_York" in k and "2026-11-23" in k] == []


@pytest.mark.django_db
def test_the_nightly_plan_is_enqueued_once_per_zone_and_day(company, owner, colleague):
    first = enqueue_due(AFTER_MIDNIGHT_NY)
    assert first == ["plan:America/New_York:2026-11-23"]
    for minutes in range(1, 30, 7):
        assert enqueue_due(AFTER_MIDNIGHT_NY + dt.timedelta(minutes=minutes)) == []
    assert DBTaskResult.objects.count() == 1
    # The next local day gets its own run.
    assert enqueue_due(AFTER_MIDNIGHT_NY + dt.timedelta(days=1)) == [
        "plan:America/New_York:2026-11-24"
    ]


@pytest.mark.django_db
def test_each_zone_plans_its_own_local_day(company, owner):
    make_user("kiri", time_zone="Pacific/Kiritimati")
    # 10:05 UTC on 22 November is 00:05 on 23 November in Kiritimati (UTC+14), 05:05 in New York.
    keys = enqueue_due(dt.datetime(2026, 11, 22, 10, 6, tzinfo=dt.UTC))
    assert keys == [
        "plan:America/New_York:2026-11-22",
        "plan:Pacific/Kiritimati:2026-11-23",
    ]


@pytest.mark.django_db(transaction=True)
def test_a_batch_worker_plans_the_day(company, owner, customer):
    """End to end through the real task queue: claim, enqueue, run, actions appear."""
    from django.utils import timezone

    today = owner.local_date(timezone.now())
    noon = dt.datetime.combine(today, dt.time(12), tzinfo=company.zone)
    promise = Promise.objects.create(customer=customer, description="Call back", due_on=today)
    enqueued = run_batch(now=noon)
    assert enqueued == [f"plan:America/New_York:{today.isoformat()}"]
    action = Action.objects.get(customer=customer, due_on=today)
    assert action.key == f"promise:{promise.pk}"
    task = DBTaskResult.objects.get()
    assert task.status == "SUCCESSFUL"
    assert run_batch(now=noon + dt.timedelta(hours=1)) == []  # done for today: nothing twice
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_many_workers_at_once_enqueue_and_run_each_job_once(company, owner):
    """Several workers tick at the same instant; then two workers drain the queue together."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent workers are tested on PostgreSQL (EXTRAMILE_TEST_DATABASE_URL)")
    for n in range(6):
        make_user(f"z{n}", time_zone=["Europe/Paris", "Asia/Tokyo", "Pacific/Kiritimati"][n % 3])
        make_customer(owner, f"C{n}", "Lee", birth_month=11, birth_day=23)
    now = dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.UTC)  # past 00:05 in every zone used
    results: list[list[str]] = []
    barrier = threading.Barrier(4)

    def tick() -> None:
        barrier.wait()
        try:
            results.append(enqueue_due(now))
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    keys = [key for batch in results for key in batch]
    assert len(keys) == len(set(keys)) == 4  # New York, Paris, Tokyo, Kiritimati
    assert DBTaskResult.objects.count() == 4

    def drain(name: str) -> None:
        try:
            run_batch(name, now=now)
        finally:
            connection.close()

    workers = [threading.Thread(target=drain, args=(f"w{n}",)) for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    tasks = list(DBTaskResult.objects.all())
    assert [t.status for t in tasks] == ["SUCCESSFUL"] * 4
    assert sum(len(t.worker_ids) for t in tasks) == 4  # each task claimed by exactly one worker


@pytest.mark.django_db
def test_quick_jobs_are_taken_before_the_nightly_plans(company, owner):
    """Mail and polls never wait behind a queue of long plans (the soak test found them starved)."""
    from extramile.mailsync.tasks import poll_mailboxes
    from extramile.runtime.tasks import plan_zone, send_outbox

    plan_zone.enqueue("2026-11-23", "America/New_York")
    plan_zone.enqueue("2026-11-23", "America/Chicago")
    send_outbox.enqueue()
    poll_mailboxes.enqueue()
    order = [row.task_path.rsplit(".", 1)[1] for row in DBTaskResult.objects.ready()]
    assert order == ["send_outbox", "poll_mailboxes", "plan_zone", "plan_zone"]


@pytest.mark.django_db(transaction=True)
def test_a_worker_on_the_default_queue_leaves_the_plans_to_another(company, owner):
    """``extramile worker --queues default`` runs the quick jobs and never a nightly plan."""
    from django_tasks.base import TaskResultStatus

    from extramile.runtime.management.commands.worker import parse_queues, task_worker
    from extramile.runtime.tasks import plan_zone, send_outbox

    plan_zone.enqueue("2026-11-23", "America/New_York")
    send_outbox.enqueue()
    task_worker("quick", batch=True, queues=parse_queues("default")).run()
    left = {row.task_path.rsplit(".", 1)[1]: row.status for row in DBTaskResult.objects.all()}
    assert left == {"plan_zone": TaskResultStatus.READY, "send_outbox": TaskResultStatus.SUCCESSFUL}
    task_worker("all", batch=True, queues=parse_queues("*")).run()
    assert DBTaskResult.objects.get(task_path__endswith="plan_zone").status == "SUCCESSFUL"


@pytest.mark.django_db
def test_an_unknown_queue_is_named_in_one_line(capsys):
    from extramile.cli import run

    assert run(["extramile", "worker", "--queues", "default,nightly"]) == 1
    assert capsys.readouterr().err == (
        "extramile: No queue named nightly: the queues are default, plans.\n"
    )
