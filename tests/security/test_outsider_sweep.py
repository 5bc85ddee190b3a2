"""The outsider sweep: every URL pattern and every API operation, as a rep of another team and as
a manager of another team, with the ids of one rep's book (one of everything: see ``book.py``).

It fails on any 2xx answer that shows the book (its mark in the body: pages, fragments, JSON,
exports, the calendar feed, PDFs), on any 2xx answer for one of the book's objects named by id,
on any server error, and on any change to the book's rows (or a new row pointing at one) after
the sweep's requests. Routes are read from Django's resolver and the OpenAPI document, so a new
route is swept without anyone remembering; a route with an id that neither the book's rep, their
manager nor an admin can reach with one of the book's ids fails too, until the book has an
object of its kind.

Only the routes in ``PUBLIC`` answer without a login, each for the reason given.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client

from extramile.accounts.models import Role, User
from extramile.api import api
from extramile.api.tokens import issue
from extramile.feeds import links
from tests.conftest import NOW, make_user
from tests.security import sweep
from tests.security.book import FIRST_ID, MARK, SHARED_ID, all_models, build, lower_ids_again

# The clock stands still: the book's worker heartbeat stays fresh however long a slow machine
# takes over the sweep (so /readyz answers 200, and a 503 would be news).
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]

# Routes that answer without a login, and why that is right. Nothing else may.
PUBLIC = {
    "login": "the login page",
    "logout": "logging out needs no login",
    "password_reset": "asking for a reset link by e-mail (the same answer for any address)",
    "password_reset_done": "the 'check your e-mail' page",
    "password_reset_confirm": "the e-mailed reset link: its signed token is the credential",
    "password_reset_complete": "the 'password changed' page",
    "unsubscribe": "a customer's one-click unsubscribe link: its signed token is the credential",
    "calendar-feed": "a calendar app reads it without a session: the link's secret is the "
    "credential (the sweep reads each user's own feed with their own secret)",
    "admin:login": "the admin's login page",
    "api:api-root": "the API's entry (no data)",
    "api:openapi-json": "the API's description (no data)",
    "api:openapi-view": "the API's documentation page (no data)",
    "api:no_such_route": "the API's 404 for an unknown path",
    "service-worker": "the offline app's script, the same for everyone (no data)",
    "manifest": "the installable app's manifest: name, icons, colours (no data)",
    "offline": "the page shown when the phone has no network and nothing kept (no data)",
    "healthz": "a load balancer's probe: 'ok' and nothing else",
    "readyz": "a load balancer's probe: which check failed, no data",
    "metrics": "Prometheus reads it with its bearer token (EXTRAMILE_METRICS_TOKEN), not a session; "
    "a 404 without the setting",
}
# Static files are served by whitenoise before any URL pattern: public, and no data.

# Not read by the logged-in sweep: the same for everyone, with no data, and slow (ninja builds the
# whole OpenAPI document on each request; the sweep reads that document itself).
NOT_SWEPT = {"api:openapi-json": "the OpenAPI document", "api:openapi-view": "its HTML page"}

# The ids tried on a route, in order: the book's first object of every kind, the shared one,
# then the book's later objects (a table with several: actions of each kind, two customers).
POOL = [FIRST_ID, SHARED_ID, *range(FIRST_ID + 1, FIRST_ID + 12)]
REFUSED = {403, 404, 405}
LOGIN_STATUSES = {301, 302, 401, 403, 404, 405}


@dataclass
class Actor:
    user: User
    client: Client
    token: str
    secret: str

    def log_in(self) -> None:
        self.client.force_login(self.user)


def actor(user: User, *, raise_errors: bool = True) -> Actor:
    client = Client(raise_request_exception=raise_errors)
    client.force_login(user)
    _, token = issue(f"sweep {user.username}", NOW, user=user)
    _, secret = links.issue(user, NOW)
    return Actor(user, client, token, secret)


@functools.cache
def openapi() -> dict[str, Any]:
    return api.get_openapi_schema()


@pytest.fixture
def document(company) -> dict[str, Any]:
    return openapi()


@pytest.fixture
def routes(document) -> list[sweep.Route]:
    return sweep.web_routes() + sweep.api_routes(document)


@pytest.fixture
def book(owner, manager, outsider, admin_user, tmp_path):
    yield build(owner, NOW, tmp_path)
    lower_ids_again(all_models(), FIRST_ID)


@pytest.fixture
def sender(book, owner) -> sweep.Sender:
    return sweep.Sender(
        id_value=FIRST_ID,
        username=owner.username,
        user_id=owner.pk,
        today=owner.local_date(NOW).isoformat(),
        now=NOW.isoformat(),
        search=MARK[1:].lower(),  # finds the book's names, and is not the mark when echoed
    )


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- Which id reaches each route ---------------------------------------------------------------


@dataclass(frozen=True)
class Reached:
    id_value: int
    path: str


def reach(
    route: sweep.Route,
    insiders: list[Actor],
    sender: sweep.Sender,
    components: dict[str, Any],
    pool: list[int] = POOL,
) -> Reached | None:
    """The first id of ``pool`` (and slug values) for which someone who may see the book (the rep
    first, then their manager, then an admin) gets anything but a 403, 404 or 405 from
    ``route``: an object of the route's kind. Tried with the route's last method (POST where it
    takes one: a POST-only view refuses a GET); each try is rolled back."""
    method = route.methods[-1]
    for insider in insiders:
        for id_value in pool:
            for path, _ in route.paths(id_value, insider.secret):
                with rolled_back():
                    response = sweep.send(
                        insider.client,
                        route,
                        path,
                        method,
                        sender,
                        token=insider.token,
                        components=components,
                    )
                    sweep.text_of(response)
                if response.status_code not in REFUSED:
                    return Reached(id_value, path)
    return None


# --- The book's rows before and after ----------------------------------------------------------

Rows = dict[tuple[str, Any], dict[str, Any]]
VOLATILE = {"accounts.User": {"last_login"}}


def snapshot() -> Rows:
    rows: Rows = {}
    for model in apps.get_models():
        label = model._meta.label
        for row in model._base_manager.values():
            rows[(label, row[model._meta.pk.attname])] = row
    return rows


def references(model: Any) -> list[tuple[str, str]]:
    return [
        (f.attname, f.related_model._meta.label)
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is not None
    ]


def changes(before: Rows, after: Rows, protected: set[tuple[str, Any]]) -> list[str]:
    """What happened to the book: its rows changed or deleted, new rows pointing at them."""
    found = []
    for key in sorted(protected, key=str):
        if key not in after:
            found.append(f"{key[0]} {key[1]} deleted")
            continue
        ignore = VOLATILE.get(key[0], set())
        changed = [
            name
            for name, value in before[key].items()
            if name not in ignore and after[key].get(name) != value
        ]
        if changed:
            found.append(f"{key[0]} {key[1]} changed: {', '.join(changed)}")
    models = {m._meta.label: m for m in apps.get_models()}
    for key in after.keys() - before.keys():
        row = after[key]
        for attname, target in references(models[key[0]]):
            if (target, row.get(attname)) in protected:
                found.append(f"new {key[0]} {key[1]} points at {target} {row[attname]}")
    return found


# --- The sweep ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    route: sweep.Route
    path: str
    method: str
    with_query: bool

    def __str__(self) -> str:
        query = " (the book's ids in the query)" if self.with_query else ""
        return f"{self.method} {self.path}{query} [{self.route.name}]"


# JSON keys that name a record of the book by id (an id says nothing by itself, but it is the
# book's: another team's answer has null there).
ID_KEYS = {
    "customer": "book.Customer",
    "household": "book.Household",
    "referrer": "book.Customer",
    "referred": "book.Customer",
    "sale": "book.Sale",
    "story": "culture.Story",
    "message": "inbox.InboundMessage",
    "action": "agenda.Action",
    "promise": "book.Promise",
    "request": "service.ServiceRequest",
}


def named_ids(text: str, response: Any) -> Iterator[tuple[str, int]]:
    if not response.get("Content-Type", "").startswith("application/json"):
        return
    try:
        data = json.loads(text)
    except ValueError:
        return
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in ID_KEYS and isinstance(value, int) and not isinstance(value, bool):
                    yield key, value
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)


class Sweep:
    """One user's sweep of every route; ``problems`` says what it found."""

    def __init__(
        self,
        who: Actor,
        reached: dict[str, list[Reached]],
        sender: sweep.Sender,
        components: dict[str, Any],
        protected: set[tuple[str, Any]],
        *,
        skip_admin: bool = False,
    ) -> None:
        self.who = who
        self.skip_admin = skip_admin
        self.reached = reached
        self.sender = sender
        self.components = components
        self.protected = protected
        self.sent: list[Sent] = []
        self.problems: list[str] = []

    def run(self, routes: list[sweep.Route]) -> list[str]:
        """Every route once per method (a GET twice: as is, and with the book's ids and a piece of
        its names in the query string; the admin's, staff-only as a whole, as is); then the
        book's rows."""
        before = snapshot()
        with rolled_back():
            for route in routes:
                if route.name in NOT_SWEPT or (self.skip_admin and route.name.startswith("admin:")):
                    continue
                for path in self.paths(route):
                    for method in route.methods:
                        if method == "GET":
                            self.check(Sent(route, path, "GET", False))
                            if not route.name.startswith("admin:"):
                                self.check(Sent(route, path, "GET", True))
                        else:
                            self.check(Sent(route, path, method, False))
            changed = changes(before, snapshot(), self.protected)
        if changed:
            self.problems.append(f"{self.who.user.username} changed the book: {changed}")
            self.problems.extend(self.culprit(before))
        return self.problems

    def paths(self, route: sweep.Route) -> list[str]:
        """The reached paths of a route with an id; every combination of its slugs otherwise."""
        if route.name in self.reached:
            return [found.path for found in self.reached[route.name]]
        return [path for path, _ in route.paths(FIRST_ID, self.who.secret)]

    def send(self, sent: Sent) -> Any:
        response = sweep.send(
            self.who.client,
            sent.route,
            sent.path,
            sent.method,
            self.sender,
            token=self.who.token,
            with_query=sent.with_query,
            components=self.components,
        )
        cookie = response.cookies.get(settings.SESSION_COOKIE_NAME)
        if cookie is not None and not cookie.value:
            self.who.log_in()  # a logout route: carry on as the same user
        return response

    def check(self, sent: Sent) -> int:
        self.sent.append(sent)
        response = self.send(sent)
        status = response.status_code
        name = self.who.user.username
        if status >= 500:
            self.problems.append(f"{name}: {sent} → {status}")
        if 200 <= status < 300:
            text = sweep.text_of(response)
            if MARK.lower() in text.lower():
                self.problems.append(f"{name}: {sent} → {status} shows the book")
            for key, value in named_ids(text, response):
                if (ID_KEYS[key], value) in self.protected:
                    self.problems.append(
                        f"{name}: {sent} → {status} names the book's {key} {value}"
                    )
            book_ids = {
                r.path for r in self.reached.get(sent.route.name, []) if r.id_value < SHARED_ID
            }
            if sent.path in book_ids:
                self.problems.append(
                    f"{name}: {sent} → {status} for an object in another book "
                    "(fetch it through accounts.scoping: a 404)"
                )
        return status

    def culprit(self, before: Rows) -> list[str]:
        """Replay the sweep one request at a time to name the first that changed the book."""
        with rolled_back():
            for sent in self.sent:
                self.send(sent)
                changed = changes(before, snapshot(), self.protected)
                if changed:
                    return [f"  first by {sent}: {changed}"]
        return []


def test_an_outsider_rep_and_another_teams_manager_reach_nothing_of_a_book(
    book, owner, manager, admin_user, other_team, routes, document, sender
):
    components = document["components"]["schemas"]
    protected = {
        key for key in snapshot() if isinstance(key[1], int) and FIRST_ID <= key[1] < SHARED_ID
    } | {("accounts.User", owner.pk)}
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    insiders = [actor(owner), actor(manager), actor(admin_user)]

    reached: dict[str, list[Reached]] = {}
    unreached = []
    for route in routes:
        if not route.ids or route.name.startswith("admin:"):
            continue  # the admin is for staff only, as a whole: each of its URLs is swept below
        found = reach(route, insiders, sender, components)
        if found is None:
            unreached.append(route.name)
            continue
        reached[route.name] = [found]
        # A company-wide record of the same kind (a team story) is swept too: it may be shown,
        # but what it links to in the book (its customer) may not.
        shared = found.id_value != SHARED_ID and reach(
            route, insiders[:1], sender, components, [SHARED_ID]
        )
        if shared:
            reached[route.name].append(shared)
    assert not unreached, (
        "The sweep's book has nothing these routes reach (add an object of their kind to "
        f"tests/security/book.py): {unreached}"
    )

    rep = actor(make_user("otto", team=other_team), raise_errors=False)
    boss = actor(make_user("mona", role=Role.MANAGER, team=other_team), raise_errors=False)
    assert not rep.user.is_staff and not boss.user.is_staff
    problems = Sweep(rep, reached, sender, components, protected).run(routes)
    # The admin lets in staff only (admins), whatever their role; the rep's sweep and the
    # anonymous one below read each of its URLs, so the manager's leaves them out.
    problems += Sweep(boss, reached, sender, components, protected, skip_admin=True).run(routes)
    assert not problems, "\n".join(problems)


def test_every_api_operation_is_in_the_openapi_document(document):
    """The sweep walks the document: an operation the document left out would escape it."""
    assert sweep.ninja_paths() == set(document["paths"])


def test_only_public_routes_answer_without_a_login(client, routes, document, sender):
    components = document["components"]["schemas"]
    names = {route.name for route in routes}
    assert set(PUBLIC) <= names, f"PUBLIC names routes that do not exist: {set(PUBLIC) - names}"
    problems = []
    for route in routes:
        if route.name in PUBLIC:
            continue
        for path, _ in route.paths(FIRST_ID, "not-a-secret"):
            for method in route.methods:
                with rolled_back():
                    response = sweep.send(
                        client, route, path, method, sender, components=components
                    )
                if response.status_code not in LOGIN_STATUSES:
                    problems.append(f"{method} {path} → {response.status_code} without a login")
    assert not problems, "\n".join(problems)


SCOPED = {
    "book.Household",
    "book.Customer",
    "book.EmailAddress",
    "book.PhoneNumber",
    "book.Relationship",
    "book.KeyDate",
    "book.Fact",
    "book.Sale",
    "book.Referral",
    "book.Promise",
    "book.Contact",
    "agenda.Action",
    "cards.Card",
    "cards.OccasionPreference",
    "cards.CardTemplate",
    "service.ServiceRequest",
    "service.ServiceEvent",
    "inbox.InboundMessage",
    "outreach.Call",
    "outbox.OutboxMessage",
    "outbox.Unsubscribe",
    "articles.ArticleMailing",
    "articles.CustomerTopic",
    "value.Invitation",
    "ideas.IdeaUse",
    "ideas.WeeklyIntention",
    "ideas.Surprise",
    "culture.Story",
    "culture.CheckIn",
    "playbook.Opportunity",
    "playbook.MoveCheck",
    "feeds.CalendarFeed",
    "imports.Upload",
    "mailsync.MailboxConnection",
    "mailsync.SeenMessage",
    "accounts.ApiToken",
}


def test_the_book_has_one_of_everything_a_rep_owns(book):
    """Every table with a foreign key to a user or to the book's records has a row in the sweep's
    book (ids from FIRST_ID), except those listed with a reason in ``book.NOT_IN_A_BOOK``."""
    from tests.security.book import NOT_IN_A_BOOK

    owned = set()
    for model in apps.get_models():
        targets = {label for _, label in references(model)}
        if targets & (SCOPED | {"accounts.User"}) and model._meta.label not in NOT_IN_A_BOOK:
            owned.add(model._meta.label)
    missing = sorted(
        label
        for label in owned
        if not apps.get_model(label)._base_manager.filter(pk__gte=FIRST_ID).exists()
    )
    assert not missing, f"add one of each to tests/security/book.py: {missing}"
