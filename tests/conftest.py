"""Shared fixtures: a company, and an owner rep, a colleague and an outsider with their books.

``owner`` and ``colleague`` are reps in the same team (``manager`` manages it); ``outsider`` is a rep
in another team. Each rep owns one customer. Tests pass a fixed ``now`` instead of patching clocks.
"""

from __future__ import annotations

import datetime as dt

import pytest

from extramile.accounts.models import Company, Role, Team, User
from extramile.book.models import Customer

NOW = dt.datetime(2026, 11, 23, 14, 30, tzinfo=dt.UTC)  # a Monday
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_test_settings(settings):
    """Tests render pages without running collectstatic first, and hash passwords quickly."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def now() -> dt.datetime:
    return NOW


@pytest.fixture
def company(db) -> Company:
    company = Company.get()
    company.name = "Harbour Motors"
    company.country = "US"
    company.time_zone = "America/New_York"
    company.save()
    return company


def make_user(username: str, role: str = Role.REP, team: Team | None = None, **extra) -> User:
    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.com",
        first_name=username.capitalize(),
        role=role,
        team=team,
        **extra,
    )


def make_customer(owner: User, first: str, last: str, **extra) -> Customer:
    return Customer.objects.create(owner=owner, first_name=first, last_name=last, **extra)


@pytest.fixture
def team(db) -> Team:
    return Team.objects.create(name="North")


@pytest.fixture
def other_team(db) -> Team:
    return Team.objects.create(name="South")


@pytest.fixture
def owner(company, team) -> User:
    return make_user("olivia", team=team)


@pytest.fixture
def colleague(company, team) -> User:
    return make_user("colin", team=team)


@pytest.fixture
def outsider(company, other_team) -> User:
    return make_user("oscar", team=other_team)


@pytest.fixture
def manager(company, team) -> User:
    return make_user("maya", role=Role.MANAGER, team=team)


@pytest.fixture
def admin_user(company) -> User:
    return make_user("ada", role=Role.ADMIN)


@pytest.fixture
def customer(owner) -> Customer:
    return make_customer(owner, "Anna", "Smith", birth_month=11, birth_day=23, birth_year=1980)


@pytest.fixture
def colleague_customer(colleague) -> Customer:
    return make_customer(colleague, "Carl", "Jones", birth_month=11, birth_day=23)


@pytest.fixture
def outsider_customer(outsider) -> Customer:
    return make_customer(outsider, "Xena", "Outis", birth_month=11, birth_day=23)


@pytest.fixture
def quiet_week(monkeypatch):
    """Leave out the weekly intention, surprise and story prompt (planned for every user on the first working day
    of a week), for tests that count the actions of other planners on a Monday."""
    from extramile.agenda.registry import PLANNERS, PREPARERS

    for name in ("week", "surprises", "stories"):
        monkeypatch.delitem(PLANNERS, name, raising=False)
    monkeypatch.delitem(PREPARERS, "surprises", raising=False)
