"""Shared fixtures: a company, and an owner rep, a colleague and an outsider with their books.

``owner`` and ``colleague`` are reps in the same team (``manager`` manages it); ``outsider`` is a rep
in another team. Each rep owns one customer. Business code takes a fixed ``now``; a test that also
renders a page, calls the API or runs a command travels to the moment it means with
``@pytest.mark.time_machine(NOW)`` (time-machine), because the edges read ``extramile.clock.now()``.

``--moment "2028-02-29T23:30 America/New_York"`` (or ``EXTRAMILE_TEST_MOMENT``) starts the whole
session at another moment, with the clock running: tests that do not fix their moment must pass at
any of them. ``--moments "A; B; C"`` gives each such test one of several awkward moments instead
(a different one each run, from the run's seed), starting up to two minutes either side of it, so
one run covers them all; ``make test-moments`` (in ``.ci/run``) does that.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
import zlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine

from extramile.accounts.models import Company, Role, Team, User
from extramile.book.models import Customer

NOW = dt.datetime(2026, 11, 23, 14, 30, tzinfo=dt.UTC)  # a Monday
PASSWORD = "correct horse battery staple"


def parse_moment(text: str) -> dt.datetime:
    """``2028-02-29T23:30-05:00`` or ``2028-02-29T23:30 America/New_York``, as an aware UTC moment."""
    stamp, _, zone = text.strip().partition(" ")
    moment = dt.datetime.fromisoformat(stamp)
    if zone:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    if moment.tzinfo is None:
        raise pytest.UsageError(f"--moment {text!r}: give an offset or a zone name")
    # UTC, so time-machine leaves the process zone (TZ) as the machine has it
    return moment.astimezone(dt.UTC)


@dataclass(frozen=True)
class Moment:
    """One awkward moment of ``--moments``: ``ISO [Zone] [TZ=machine zone]``."""

    text: str
    at: dt.datetime
    machine_zone: str

    @classmethod
    def parse(cls, text: str) -> Moment:
        words = text.split()
        zones = [word.removeprefix("TZ=") for word in words if word.startswith("TZ=")]
        moment = parse_moment(" ".join(word for word in words if not word.startswith("TZ=")))
        zone = zones[0] if zones else ""  # Django sets TZ to settings.TIME_ZONE at start
        if zone:
            ZoneInfo(zone)  # a typo fails here, not as a silent UTC
        return cls(text.strip(), moment, zone)


def parse_moments(text: str) -> list[Moment]:
    try:
        return [Moment.parse(part) for part in text.split(";") if part.strip()]
    except (ValueError, KeyError, OSError) as error:
        raise pytest.UsageError(f"--moments {text!r}: {error}") from None


SPREAD = 120  # seconds either side of a --moments boundary


def moment_of(item: pytest.Item, moments: list[Moment], seed: int) -> tuple[Moment, dt.datetime]:
    """Which of the moments a test gets this run, and its start: stable per test and seed."""
    mark = zlib.crc32(item.nodeid.encode())
    chosen = moments[(mark + seed) % len(moments)]
    offset = (mark // len(moments) + seed) % (2 * SPREAD) - SPREAD
    return chosen, chosen.at + dt.timedelta(seconds=offset)


def pytest_addoption(parser):
    parser.addoption(
        "--moment",
        default=os.environ.get("EXTRAMILE_TEST_MOMENT", ""),
        help="start the session's clock at this moment, e.g. '2028-02-29T23:30 America/New_York'",
    )
    parser.addoption(
        "--moments",
        default="",
        help="'A; B; ...': each test that fixes no moment runs at one of these (see tests/conftest.py)",
    )
    parser.addoption(
        "--moments-seed",
        type=int,
        default=None,
        help="which test gets which of --moments (default: pytest-randomly's seed, else random)",
    )
    parser.addoption(
        "--unfixed-only",
        action="store_true",
        help="run only the tests that fix no moment (the others run at their own moment anyway)",
    )


def pytest_configure(config):
    text = config.getoption("--moment")
    if text and config.getoption("--moments"):
        raise pytest.UsageError(
            "give --moment (the whole session) or --moments (per test), not both"
        )
    if config.getoption("--moments"):
        parse_moments(config.getoption("--moments"))
    if text:
        config.stash[_TRAVEL] = time_machine.travel(parse_moment(text), tick=True)
        config.stash[_TRAVEL].start()


def pytest_unconfigure(config):
    if _TRAVEL in config.stash:
        config.stash[_TRAVEL].stop()


def moments_seed(config) -> int:
    seed = config.getoption("--moments-seed")
    if seed is None:
        seed = getattr(config.option, "randomly_seed", None)
    if not isinstance(seed, int):
        seed = config.stash.setdefault(_SEED, random.SystemRandom().randrange(2**32))
    return seed


def pytest_report_header(config):
    text = config.getoption("--moment")
    if config.getoption("--moments"):
        lines = [
            f"moments (seed {moments_seed(config)}; each unfixed test starts at one, +/-{SPREAD} s):"
        ]
        for moment in parse_moments(config.getoption("--moments")):
            zone = f", machine TZ={moment.machine_zone}" if moment.machine_zone else ""
            lines.append(f"  {moment.text} = {moment.at.isoformat()}{zone}")
        return lines
    if text:
        return f"moment: {text} = {parse_moment(text).isoformat()} (the clock runs on from there)"
    return "moment: the real clock"


_TRAVEL = pytest.StashKey[time_machine.travel]()
_SEED = pytest.StashKey[int]()
_MOMENT = pytest.StashKey[tuple[Moment, dt.datetime]]()


def fixed_moment(item: pytest.Item) -> dt.datetime | None:
    """The moment a test means: ``NOW`` when it asks for the ``now`` fixture, else its module's ``NOW``."""
    if "now" in getattr(item, "fixturenames", ()):
        return NOW
    module = getattr(item, "module", None)
    moment = getattr(module, "NOW", None)
    return moment if isinstance(moment, dt.datetime) else None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """A test that fixes its moment runs at it: the pages and the API it calls read the same clock.

    A test with its own ``@pytest.mark.time_machine(...)`` keeps it; a test that fixes no moment runs
    on the session's clock (the real one, or ``--moment``) and must pass at any moment.
    """
    unfixed = []
    for item in items:
        moment = fixed_moment(item)
        if moment is not None and item.get_closest_marker("time_machine") is None:
            item.add_marker(pytest.mark.time_machine(moment))
        if item.get_closest_marker("time_machine") is None:
            unfixed.append(item)
    if config.getoption("--moments"):
        moments, seed = parse_moments(config.getoption("--moments")), moments_seed(config)
        for item in unfixed:
            item.stash[_MOMENT] = chosen = moment_of(item, moments, seed)
            item.add_marker(pytest.mark.time_machine(chosen[1], tick=True))
            item.fixturenames.insert(0, "_machine_zone")  # type: ignore[attr-defined]
    if config.getoption("--unfixed-only"):
        config.hook.pytest_deselected(items=[item for item in items if item not in unfixed])
        items[:] = unfixed


@pytest.fixture
def _machine_zone(request):
    """Under ``--moments``: the machine's zone (``TZ``) the test's moment asks for, for this test."""
    zone = request.node.stash[_MOMENT][0].machine_zone
    before = os.environ.get("TZ")
    if zone:
        os.environ["TZ"] = zone
        time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failure under ``--moments`` says at which moment the test ran."""
    report = yield
    if _MOMENT in item.stash and report.failed:
        moment, start = item.stash[_MOMENT]
        zone = f" (machine TZ={moment.machine_zone})" if moment.machine_zone else ""
        report.sections.append(
            ("moment", f"started at {start.isoformat()}, near {moment.text}{zone}")
        )
    return report


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


def login(client, user):
    """Sign ``user`` in on the test client (every user is made with ``PASSWORD``); the client."""
    assert client.login(username=user.username, password=PASSWORD)
    return client
