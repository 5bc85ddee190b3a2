"""In real Chromium, under the Content-Security-Policy: an inline script is refused (and the watch
in conftest.py sees it), every page of a demo company works with no violation, and a locked-out
sign-in gets a page that says when to try again, which an admin lifts from Settings."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from extramile.agenda import engine
from extramile.book.models import Customer, Referral
from extramile.cards.models import Card
from extramile.runtime.demo import create_demo
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_an_inline_script_is_refused_and_the_watch_sees_it(live_server, browser, transactional_db):
    page = browser.new_page()
    response = page.goto(f"{live_server.url}/login/")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__inlineRan = true";
            document.head.appendChild(script);
            document.body.insertAdjacentHTML("beforeend", '<p style="color: red">styled</p>');
        }"""
    )
    page.wait_for_function("window.__cspViolations >= 2")
    assert page.evaluate("window.__inlineRan") is None
    page.close()
    seen = "\n".join(browser.violations)
    assert "script-src" in seen and "style-src" in seen
    browser.violations.clear()  # seen on purpose: this test must not fail for it


@pytest.fixture
def demo(transactional_db):
    create_demo(customers=60, reps=2, seed=7, password=PASSWORD)
    engine.plan_local_today(timezone.now())


def test_every_page_works_under_the_policy(live_server, browser, demo, tmp_path):
    page = browser.new_page(viewport={"width": 390, "height": 900})
    log_in(page, live_server.url, "admin")
    customer = Customer.objects.order_by("pk").first()
    referrer = Referral.objects.order_by("pk").values_list("referrer_id", flat=True).first()
    card = Card.objects.order_by("pk").first()
    paths = [
        reverse(name)
        for name in (
            "today",
            "customers",
            "import",
            "service",
            "inbox",
            "calls",
            "cards",
            "articles",
            "lunches",
            "ideas",
            "week",
            "stories",
            "check-ins",
            "playbook",
            "opportunities",
            "team",
            "insights",
            "settings",
            "calendar-settings",
            "mailbox",
            "export-audit",
            "lockouts",
        )
    ]
    assert customer is not None
    paths.append(reverse("customer", args=[customer.pk]))
    if referrer:
        paths.append(reverse("referral-tree", args=[referrer]))
    if card:
        paths.append(reverse("card", args=[card.pk]))
    paths += [
        "/api/docs",
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/book/customer/{customer.pk}/change/",
    ]
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        assert "content-security-policy" in response.headers, path
        page.wait_for_load_state("load")
    page.screenshot(path=str(tmp_path / "last.png"))

    # The audit trail's filter sends itself when changed (extramile.js, not an onchange).
    page.goto(f"{live_server.url}/exports/audit/")
    page.get_by_label("What").select_option(index=1)
    page.wait_for_url("**/exports/audit/?action=*")

    # The quick log (htmx) empties itself once the message is logged (not an hx-on attribute).
    page.goto(f"{live_server.url}/")
    page.locator(".quick-log summary").click()
    form = page.locator(".quick-log-form")
    form.locator("input[name=sender]").fill("+1 207 555 0199")
    form.locator("textarea[name=summary]").fill("Asked about the winter tyres")
    form.get_by_role("button", name="Log it").click()
    page.locator("#quick-log-result .msg").wait_for()
    assert form.locator("input[name=sender]").input_value() == ""
    page.close()


def test_a_locked_out_sign_in_says_when_and_an_admin_unlocks_it(
    live_server, browser, transactional_db, owner, admin_user, settings, tmp_path
):
    settings.LOCKOUT_FAILURES = 3
    settings.PROXIES = 1
    page = browser.new_page(viewport={"width": 390, "height": 900})
    for _ in range(3):
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", "olivia")
        page.fill("input[name=password]", "not her password")
        page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Sign-in paused"
    assert "in 15 minutes" in page.locator(".msg-error").inner_text()
    page.screenshot(path=str(tmp_path / "locked-out.png"))
    # The right password does not get through now.
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "olivia")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Sign-in paused"
    page.get_by_role("link", name="Back to log in").click()
    page.wait_for_url(f"{live_server.url}/login/")

    # The address is locked too (3 failures from it): the admin signs in from another one, behind
    # the proxy (EXTRAMILE_PROXIES=1) that says so in X-Forwarded-For.
    elsewhere = browser.new_context(
        viewport={"width": 390, "height": 900},
        extra_http_headers={"X-Forwarded-For": "198.51.100.7"},
    )
    admin = elsewhere.new_page()
    log_in(admin, live_server.url, "ada")
    admin.goto(f"{live_server.url}/settings/")
    admin.get_by_role("link", name="Sign-in lockouts").click()
    assert "address 127.0.0.1" in admin.locator(".lockout-list").inner_text()
    admin.screenshot(path=str(tmp_path / "lockouts.png"), full_page=True)
    admin.get_by_role("button", name="Unlock user name olivia").click()
    assert "is unlocked" in admin.locator(".msg-success").inner_text()
    # Olivia's failures were all the address had: it is free again too.
    assert "Nothing is locked out" in admin.content()
    elsewhere.close()

    log_in(page, live_server.url, "olivia")
    page.close()
