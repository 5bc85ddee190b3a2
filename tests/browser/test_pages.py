"""Every page of the navigation, for a rep, a manager and an admin, at 390 px and 1366 px, in Chromium.

Each page fails the test when:

- the document is wider than the viewport (the page scrolls sideways);
- the console shows an error, or a script throws;
- a request leaves 127.0.0.1 (no CDN: everything is served by the app; such requests are aborted);
- axe-core finds a *serious* or *critical* accessibility violation.

axe-core is vendored from the npm package ``axe-core`` (tests/browser/vendor, MPL-2.0) and evaluated
in the page by Playwright through the DevTools protocol, so the app's Content-Security-Policy stays
as strict as it is (no inline script is added to the page).

The admin's context prefers a dark colour scheme, so the dark theme is held to the same checks.
One browser context per role, reused for both widths and every page, keeps the run short. With
``EXTRAMILE_SCREENSHOTS=<folder>`` (``make screenshots``) every page is also saved there as
``<role>-<width>-<page>.png`` for review.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from extramile.agenda import engine
from extramile.book.models import Customer
from extramile.playbook.models import Competitor
from extramile.runtime.demo import create_demo
from extramile.web.context import NAV
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
WIDTHS = (390, 1366)
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Pages reached from the navigation's pages (a row, a tab, a link in the page head).
MORE = (
    "customer-new",
    "week",
    "check-ins",
    "article-library",
    "opportunities",
    "calendar-settings",
    "mailbox",
    "story-new",
)
ADMIN_ONLY = ("export-audit", "lockouts")
# /api/docs is django-ninja's own Swagger UI page (served from its static files): its <html> has
# no lang, and overriding the template would copy its inline JSON <script> into ours.
NOT_OURS = {"api-docs": {"html-has-lang": {"enabled": False}}}

RUN_AXE = """async (rules) => {
  const result = await axe.run(document, {resultTypes: ["violations"], rules: rules});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.impact + " " + v.id + ": " + v.help + " — "
      + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""

WIDTH = """() => ({
  document: document.documentElement.scrollWidth,
  viewport: document.documentElement.clientWidth,
  widest: [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ").join(".") : "")),
})"""


@pytest.fixture
def demo(transactional_db):
    create_demo(customers=60, reps=2, seed=7, password="demo-password-1")
    engine.plan_local_today(timezone.now())


def paths_for(role: str) -> list[tuple[str, str]]:
    names = [name for name, _label, _icon in NAV] + list(MORE)
    if role == "admin":
        names += list(ADMIN_ONLY)
    paths = [(name, reverse(name)) for name in names]
    customer = Customer.objects.order_by("pk").first()
    assert customer is not None
    paths.append(("customer", reverse("customer", args=[customer.pk])))
    competitor = Competitor.objects.order_by("pk").first()
    if competitor:
        paths.append(("competitor", reverse("playbook-competitor", args=[competitor.pk])))
    paths.append(("not-found", "/no-such-page/"))
    if role == "admin":
        paths.append(("api-docs", "/api/docs"))
    return paths


class Watch:
    """What went wrong on the page being looked at."""

    def __init__(self, page: Any) -> None:
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        # The 404 page is asked for on purpose: its status line is not a fault of the page.
        if "status of 404" in message.text and "no-such-page" in (message.location or {}).get(
            "url", ""
        ):
            return
        self.problems.append(f"console error: {message.text}")


@pytest.mark.parametrize("role", ["rep1", "manager", "admin"])
def test_every_page_fits_works_offline_and_is_accessible(live_server, browser, demo, role):
    shots = os.environ.get("EXTRAMILE_SCREENSHOTS")
    # The admin's pages are seen in dark mode, so axe checks the dark colours' contrast too.
    scheme = "dark" if role == "admin" else "light"
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 860}, color_scheme=scheme)
    left: list[str] = []

    def stay_local(route: Any) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    context.route("**/*", stay_local)
    page = context.new_page()
    watch = Watch(page)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", role)
    page.fill("input[name=password]", "demo-password-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    axe = AXE.read_text()
    failures: list[str] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 860})
        for name, path in paths_for("admin" if role == "admin" else role):
            watch.problems.clear()
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("load")
            where = f"{role} {width}px {path}"
            size = page.evaluate(WIDTH)
            if size["document"] > size["viewport"]:
                failures.append(
                    f"{where}: {size['document']} px wide in a {size['viewport']} px viewport "
                    f"({', '.join(size['widest'])})"
                )
            if page.evaluate("typeof window.axe") == "undefined":
                page.evaluate(axe)
            failures += [f"{where}: {v}" for v in page.evaluate(RUN_AXE, NOT_OURS.get(name, {}))]
            failures += [f"{where}: {p}" for p in watch.problems]
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{shots}/{role}-{width}-{name}.png", full_page=True)
    failures += [f"{role}: a request left 127.0.0.1: {url}" for url in dict.fromkeys(left)]
    context.close()
    assert not failures, "\n".join(failures)


def test_a_phone_reaches_every_page_from_the_tab_bar(live_server, browser, transactional_db, owner):
    page = browser.new_page(viewport={"width": 390, "height": 860})
    log_in(page, live_server.url)
    tabs = page.get_by_role("navigation", name="Daily pages")
    assert [t.strip() for t in tabs.locator(":scope > a").all_inner_texts()] == [
        label for _name, label, _icon in NAV[:5]
    ]
    assert not page.get_by_role("navigation", name="Main").is_visible()  # the side bar: wide only
    more = tabs.get_by_text("More")
    more.click()
    tabs.get_by_role("link", name="Settings").click()
    page.wait_for_url(f"{live_server.url}/settings/")
    # A page under More marks More as where one is; Escape closes the menu.
    assert "current" in (tabs.locator("summary").get_attribute("class") or "")
    more.click()
    assert tabs.get_by_role("link", name="Insights").is_visible()
    page.keyboard.press("Escape")
    assert not tabs.get_by_role("link", name="Insights").is_visible()
    page.set_viewport_size({"width": 1366, "height": 860})
    assert page.get_by_role("navigation", name="Main").is_visible()
    assert not tabs.is_visible()
    page.close()
