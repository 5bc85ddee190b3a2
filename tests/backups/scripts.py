"""What the backup tests run in processes of their own, as the app's processes would:
``python -m tests.backups.scripts MODE …`` with ``EXTRAMILE_DATA_DIR`` and
``EXTRAMILE_DATABASE_URL`` set.

- ``setup``: a team, a rep, a book of customers and one more customer, ``Una``; prints Una's id
  and her unsubscribe token (signed with this installation's secret key).
- ``write``: the app writing: one customer and their e-mail address per transaction, until
  stopped (SIGTERM).
- ``link TOKEN``: follows the unsubscribe link as a mail program does (GET, then the one-click
  POST) and prints both statuses and whether the customer is now unsubscribed.
- ``empty``: the tables of this database that hold data ``migrate`` did not put there (JSON).
"""

from __future__ import annotations

import json
import os
import signal
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "extramile.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from extramile.accounts.models import Company, Role, Team, User  # noqa: E402
from extramile.book.models import Customer, EmailAddress  # noqa: E402

WRITER = "Writer"  # last name of the writer's customers; e-mail addresses writer-N@…


def setup(size: int) -> None:
    company = Company.get()
    company.name = "Harbour Motors"
    company.save()
    team = Team.objects.create(name="North")
    rep = User.objects.create_user(
        username="rhea", password="x" * 20, role=Role.REP, team=team, email="rhea@example.com"
    )
    book = Customer.objects.bulk_create(
        Customer(owner=rep, first_name=f"Ann{n}", last_name=f"Lee{n % 50}") for n in range(size)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(customer=customer, address=f"ann{n}@example.com")
        for n, customer in enumerate(book)
    )
    una = Customer.objects.create(owner=rep, first_name="Una", last_name="Brook")
    EmailAddress.objects.create(customer=una, address="una@example.com")
    from extramile.outbox.tokens import make_token

    print(una.pk, make_token(una.pk))


def write() -> None:
    # SIGTERM ends the loop between two transactions: exiting from inside the handler could land
    # in the middle of a commit and print a traceback the test then reads as the writer failing.
    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, _frame: stopping.append(signum))
    rep = User.objects.get(username="rhea")
    number = 0
    while not stopping:
        number += 1
        with transaction.atomic():
            customer = Customer.objects.create(owner=rep, first_name="W", last_name=WRITER)
            EmailAddress.objects.create(customer=customer, address=f"writer-{number}@example.com")


def link(token: str) -> None:
    from django.conf import settings
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment

    setup_test_environment()
    client = Client()
    # Pages without collectstatic first, as in the test suite.
    storage = "django.contrib.staticfiles.storage.StaticFilesStorage"
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": storage}}):
        shown = client.get(f"/u/{token}/")
        done = client.post(f"/u/{token}/", {"List-Unsubscribe": "One-Click"})
    from extramile.outbox.tokens import customer_id

    pk = customer_id(token)
    unsubscribed = pk is not None and Customer.objects.get(pk=pk).do_not_email
    print(shown.status_code, done.status_code, unsubscribed)


def empty() -> None:
    from extramile.backups.tables import data_tables, live_counts

    print(json.dumps(data_tables(live_counts(connection))))


if __name__ == "__main__":
    mode, *arguments = sys.argv[1:]
    if mode == "setup":
        setup(int(arguments[0]))
    elif mode == "write":
        write()
    elif mode == "link":
        link(arguments[0])
    elif mode == "empty":
        empty()
    else:
        raise SystemExit(f"unknown mode {mode!r}")
