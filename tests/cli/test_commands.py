"""Every CLI command: happy paths, scoping, and one-line errors with a non-zero exit code."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from extramile.accounts.models import User
from extramile.agenda.models import Action
from extramile.book.models import Customer, KeyDate, Promise, Relationship
from extramile.cli import run, usage

pytestmark = pytest.mark.django_db


def call(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def promise_today(customer: Customer, description: str = "Call back") -> Promise:
    """A promise due on the owner's local today: work on Today."""
    today = customer.owner.local_date(timezone.now())
    return Promise.objects.create(customer=customer, description=description, due_on=today)


def test_plan_prints_a_summary_and_is_idempotent(customer, outsider_customer):
    promise_today(customer)
    first = call("plan")
    # Card batches and calls depend on the wall clock (birthdays, Christmas, weekends): count
    # what was made.
    assert "(promises 1" in first
    assert f"; {Action.objects.count()} new" in first
    second = call("plan")
    assert "(promises 1" in second
    assert "; 0 new" in second


@pytest.mark.usefixtures("quiet_week")
def test_plan_a_given_date_for_one_user(owner, customer, outsider_customer):
    Promise.objects.create(customer=customer, description="Call", due_on=dt.date(2026, 11, 23))
    Promise.objects.create(
        customer=outsider_customer, description="Call", due_on=dt.date(2026, 11, 23)
    )
    out = call("plan", "--date", "2026-11-23", "--user", "olivia")
    # Anna's birthday is that day: her card is late, so its batch is on Today too.
    assert out.startswith("2026-11-23: 2 actions (promises 1, cards 1); 2 new")
    assert set(Action.objects.values_list("owner__username", flat=True)) == {"olivia"}


@pytest.mark.parametrize("bad", ["2026-02-30", "tomorrow", "23/11/2026"])
def test_plan_refuses_a_bad_date(bad, owner):
    with pytest.raises(CommandError, match="is not a date"):
        call("plan", "--date", bad)


def test_today_json_lists_only_that_users_actions(owner, outsider, customer, outsider_customer):
    for c in (customer, outsider_customer):
        promise_today(c, f"Call {c.first_name} back")
    call("plan")
    items = json.loads(call("today", "--user", "oscar", "--json"))
    assert {i["key"] for i in items} == set(
        Action.objects.filter(owner=outsider).values_list("key", flat=True)
    )
    [item] = [i for i in items if i["kind"] == "promise"]
    assert set(item) >= {"kind", "key", "title", "customer", "due", "priority", "status"}
    assert item["title"] == "Keep the promise to Xena Outis: Call Xena back"
    assert item["status"] == "open"
    assert item["customer"] == {"id": outsider_customer.pk, "name": "Xena Outis"}
    assert isinstance(item["priority"], int)


def test_today_table_and_a_clear_day(owner, customer):
    due = promise_today(customer).due_on
    call("plan")
    assert "Keep the promise to Anna Smith: Call back" in call("today", "--user", "olivia")
    # An unmet promise stays on Today until it is met; before it was due, the day was clear.
    later, earlier = (
        (due + dt.timedelta(days=400)).isoformat(),
        (due - dt.timedelta(days=400)).isoformat(),
    )
    assert "Call back" in call("today", "--user", "olivia", "--date", later)
    assert "a clear day" in call("today", "--user", "olivia", "--date", earlier)


def test_today_needs_a_known_user(owner, colleague):
    with pytest.raises(CommandError, match="--user"):
        call("today")
    with pytest.raises(CommandError, match="no user 'ghost'"):
        call("today", "--user", "ghost")


def test_createuser(company):
    out = call(
        "createuser",
        "dana",
        "--role",
        "manager",
        "--team",
        "East",
        "--password",
        "a long enough secret 9",
        "--email",
        "Dana@Example.com",
        "--time-zone",
        "Europe/Berlin",
    )
    assert out.strip() == "Created manager dana."
    dana = User.objects.get(username="dana")
    assert (dana.role, dana.team.name, dana.email, dana.time_zone) == (
        "manager",
        "East",
        "Dana@example.com",
        "Europe/Berlin",
    )
    assert dana.check_password("a long enough secret 9")
    call("createuser", "root", "--role", "admin", "--password", "a long enough secret 9")
    assert User.objects.get(username="root").is_superuser


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "boss"], "is not a role"),
        (["--time-zone", "Mars/Base"], "is not a time zone"),
        (["--email", "nope"], "is not a valid e-mail address"),
        (["--password", "123"], "too short"),
    ],
)
def test_createuser_refuses_bad_input_and_creates_nothing(company, args, message):
    base = ["createuser", "eve", "--password", "a long enough secret 9"]
    with pytest.raises(CommandError, match=message):
        call(*base, *args)
    assert not User.objects.filter(username="eve").exists()


def test_createuser_refuses_a_duplicate(owner):
    with pytest.raises(CommandError, match="already a user"):
        call("createuser", "olivia", "--password", "a long enough secret 9")


def test_demo_builds_a_realistic_book(db):
    out = call(
        "demo", "--customers", "300", "--reps", "3", "--seed", "7", "--password", "pw-demo-123"
    )
    assert "300 customers" in out
    for login in ["rep1", "rep2", "rep3", "manager", "admin"]:
        assert login in out
        assert User.objects.get(username=login).check_password("pw-demo-123")
    assert Customer.objects.count() == 300
    assert Customer.objects.filter(birth_month=2, birth_day=29).exists()
    assert KeyDate.objects.filter(kind="wedding").exists()
    # Three generations: someone whose parent has a parent.
    parents_of = {}
    for parent, child in Relationship.objects.filter(kind="parent").values_list(
        "from_customer", "to_customer"
    ):
        parents_of.setdefault(child, set()).add(parent)
    assert any(parents_of.get(p) for kids_parents in parents_of.values() for p in kids_parents)
    # Each sampled customer passes model validation.
    for customer in Customer.objects.order_by("?")[:40]:
        customer.full_clean()
        for phone in customer.phones.all():
            phone.full_clean()
    # After planning, every rep has real work today.
    call("plan")
    for rep in ["rep1", "rep2", "rep3"]:
        assert json.loads(call("today", "--user", rep, "--json")), rep


def summary_of_book() -> list[tuple]:
    return list(
        Customer.objects.order_by("id").values_list(
            "first_name", "last_name", "birth_month", "birth_day", "birth_year", "owner__username"
        )
    )


def test_demo_is_deterministic_for_a_seed(db):
    call("demo", "--customers", "120", "--seed", "3")
    first = summary_of_book()
    Customer.objects.all().delete()
    User.objects.all().delete()
    call("demo", "--customers", "120", "--seed", "3")
    assert summary_of_book() == first


def test_demo_if_empty_and_refusal(db):
    call("demo", "--customers", "20")
    assert "no demo data added" in call("demo", "--if-empty")
    with pytest.raises(CommandError, match="Demo users exist already"):
        call("demo", "--customers", "20")
    with pytest.raises(CommandError, match="--customers"):
        Customer.objects.all().delete()
        User.objects.all().delete()
        call("demo", "--customers", "0")


def test_usage_lists_our_commands(capsys):
    assert run(["extramile"]) == 0
    printed = capsys.readouterr().out
    for command in ["serve", "worker", "demo", "plan", "today", "createuser"]:
        assert f"  {command}" in printed
    assert printed.strip() == usage().strip()


# --- the real console script, in a subprocess ------------------------------------------------


def script(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "EXTRAMILE_DATA_DIR": str(tmp_path), **env}
    environment.pop("EXTRAMILE_DATABASE_URL", None)
    return subprocess.run(
        [str(Path(sys.executable).parent / "extramile"), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_console_script_end_to_end(tmp_path):
    assert script(tmp_path, "migrate", "--no-input", "-v0").returncode == 0
    assert script(tmp_path, "demo", "--customers", "50").returncode == 0
    assert script(tmp_path, "plan").returncode == 0
    done = script(tmp_path, "today", "--user", "rep1", "--json")
    assert done.returncode == 0
    assert isinstance(json.loads(done.stdout), list)


def test_console_script_errors_are_one_line_without_traceback(tmp_path):
    no_db = script(tmp_path, "today", "--user", "rep1")
    assert no_db.returncode != 0
    assert "extramile migrate" in no_db.stderr
    assert "Traceback" not in no_db.stderr
    assert len(no_db.stderr.strip().splitlines()) == 1
    bad_setting = script(tmp_path, "plan", EXTRAMILE_DEBUG="maybe")
    assert bad_setting.returncode != 0
    assert bad_setting.stderr.strip().count("\n") == 0
    assert "EXTRAMILE_DEBUG" in bad_setting.stderr
    bad_date = script(tmp_path, "plan", "--date", "2026-02-30")
    assert bad_date.returncode != 0
    assert "Traceback" not in bad_date.stderr
