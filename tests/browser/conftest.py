"""Real Chromium (Debian's), driven by Playwright: the browser, and logging in."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("EXTRAMILE_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser():
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test
    # body are safe because they do not overlap with it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()
        # While Playwright's loop runs, Django keeps ORM connections per context, not per thread:
        # close the ones the test opened here, or PostgreSQL cannot drop the test database.
        connections.close_all()


def pytest_collection_modifyitems(items):
    missing = pytest.mark.skipif(
        not shutil.which(CHROMIUM), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    )
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(missing)


def log_in(page, base_url: str, username: str = "olivia") -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


@pytest.fixture(autouse=True)
def _keep_built_in_rows(django_db_serialized_rollback):
    """Browser tests run against a live server, so their database is emptied after each test; this
    restores what the migrations created (occasions, service targets) before the next one."""
