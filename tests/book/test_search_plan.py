"""A rep's customer search reads only the rep's matches, through ``(owner_id, lower(name))``
(migration book 0008), once SQLite has the statistics the nightly plan refreshes."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection

from extramile.accounts.models import User
from extramile.agenda import engine
from extramile.book import services
from extramile.book.models import Customer
from extramile.db_operations import refresh_statistics
from extramile.runtime.tasks import plan_zone
from tests.conftest import NOW, make_user

FIRST = ["Chad", "Anna", "Boris", "Dana", "Emil", "Fay", "Gus", "Hana"]
LAST = ["Chen", "Smith", "Berg", "Diaz", "Evans", "Frost", "Gray", "Hill"]


def book_of(users: list, per_user: int) -> None:
    names = itertools.cycle(itertools.product(FIRST, LAST))
    Customer.objects.bulk_create(
        Customer(owner=user, first_name=first, last_name=last)
        for user in users
        for first, last in itertools.islice(names, per_user)
    )


def plan_of(sql: str, params: tuple) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner and statistics")
def test_a_reps_search_is_read_through_the_owner_and_name_indexes(company, owner):
    others = [make_user(f"rep{n}") for n in range(9)]
    book_of([owner, *others], 300)
    refresh_statistics()
    mine = Customer.objects.visible_to(owner)
    found = services.search_customers(mine, "ch", "US").order_by()
    sql, params = found.values("id").query.sql_with_params()
    plan = plan_of(sql, params)
    for field in ("first_name", "last_name", "preferred_name", "company_name"):
        assert f"customer_owner_{field}_prefix (owner_id=? AND" in plan, plan
    # The same answer as reading the book row by row.
    expected = {
        c.pk
        for c in mine
        if any(
            getattr(c, f).lower().startswith("ch")
            for f in ("first_name", "last_name", "preferred_name", "company_name")
        )
    }
    assert expected and len(expected) < 300
    assert set(found.values_list("pk", flat=True)) == expected


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's statistics")
@pytest.mark.time_machine(NOW)
def test_the_nightly_plan_refreshes_sqlites_statistics(company, owner, settings):
    book_of([owner], 50)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "plans"],
        }
    }
    zones = engine.zones(User.objects.filter(is_active=True))
    zone = next(name for name, ids in zones.items() if owner.pk in ids)
    plan_zone.call(NOW.date().isoformat(), zone)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'book_customer'")
        assert cursor.fetchone()[0] > 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index definition")
def test_the_owner_and_name_indexes_exist_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'book_customer' AND indexname LIKE 'customer_owner_%_prefix'"
        )
        found = dict(cursor.fetchall())
    assert sorted(found) == sorted(
        f"customer_owner_{f}_prefix"
        for f in ("first_name", "last_name", "preferred_name", "company_name")
    )
    assert all("(owner_id, lower(" in d and "text_pattern_ops" in d for d in found.values())
