"""Real Chromium (Debian's), driven by Playwright: the browser, and logging in.

Every page a browser test opens is watched for Content-Security-Policy violations (the console's
"Refused to …" lines and the ``securitypolicyviolation`` event) and Permissions-Policy errors:
any of them fails the test, so an inline script, style or handler cannot creep back in.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

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


# Runs in every page before its own scripts: reports each violation on the console (where the
# watch reads it) and counts them, so a test can wait for one.
REPORT_VIOLATIONS = """
window.__cspViolations = 0;
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations += 1;
  console.error("CSP violation: " + event.violatedDirective + " blocked "
    + (event.blockedURI || "inline") + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""
WATCHED = ("Refused to", "CSP violation:", "Content Security Policy", "Permissions-Policy")


class WatchedBrowser:
    """The Playwright browser, with every context it makes (``new_page`` makes one too) watched;
    what was seen is in ``violations``."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.violations: list[str] = []

    def new_context(self, **options: Any) -> Any:
        context = self._browser.new_context(**options)
        self.watch(context)
        return context

    def new_page(self, **options: Any) -> Any:
        page = self._browser.new_page(**options)
        self.watch(page.context)
        return page

    def watch(self, context: Any) -> None:
        context.add_init_script(script=REPORT_VIOLATIONS)
        context.on("console", self._console)

    def _console(self, message: Any) -> None:
        if any(mark in message.text for mark in WATCHED):
            where = (message.location or {}).get("url", "")
            self.violations.append(f"{where}: {message.text}")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture
def browser():
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test
    # body are safe because they do not overlap with it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        watched = WatchedBrowser(chromium)
        yield watched
        chromium.close()
        # While Playwright's loop runs, Django keeps ORM connections per context, not per thread:
        # close the ones the test opened here, or PostgreSQL cannot drop the test database.
        connections.close_all()
    if watched.violations:
        pytest.fail(
            "Content-Security-Policy / Permissions-Policy violations in the browser:\n"
            + "\n".join(dict.fromkeys(watched.violations)),
            pytrace=False,
        )


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
