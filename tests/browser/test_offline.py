"""In real Chromium: ExtraMile installs as an app and keeps working without a network.

Install criteria (manifest and our service worker); offline, three items completed and a note
added are kept (IndexedDB) and shown as waiting, also after a reload from the phone's copy;
back online each is applied once (checked in the database), also when the replay is cut off
half-way; a change made elsewhere meanwhile is shown as a conflict; logging out clears the
caches and the queue; a call started from Today is logged with one more tap."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from extramile.agenda import services
from extramile.agenda.models import Action, ActionStatus, Priority
from extramile.book.services import add_phone
from extramile.offline.models import PageRequest
from extramile.outreach.models import Call
from extramile.timeline.models import Note
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def day(transactional_db, owner, customer):
    """Four things to do today, and a call to Anna."""
    now = timezone.now()
    today = owner.local_date(now)
    add_phone(customer, "(415) 555-2671", "US", "mobile")
    actions = [
        Action.objects.create(
            key=f"test:{n}",
            kind="promise" if n else "call",
            owner=owner,
            customer=customer,
            title=f"Thing {n}" if n else "Call Anna Smith",
            due_on=today,
            priority=Priority.CALL if n == 0 else Priority.NORMAL,
            created_at=now,
            updated_at=now,
        )
        for n in range(5)
    ]
    return actions


def open_app(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 1200})
    page = context.new_page()
    log_in(page, base_url)
    # The worker takes control of the page (clients.claim), then Today is loaded again through it.
    page.wait_for_function(
        "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null"
    )
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    return context, page


def row(page, action):
    return page.locator(f"#action-{action.pk}")


def waiting(page) -> int:
    return page.evaluate("window.extramileOffline.pending().then(items => items.length)")


def test_install_criteria_manifest_and_service_worker(live_server, browser, day):
    context, page = open_app(browser, live_server.url)
    script = page.evaluate("navigator.serviceWorker.ready.then(r => r.active.scriptURL)")
    assert script == f"{live_server.url}/sw.js"
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{live_server.url}/"
    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == f"{live_server.url}/manifest.webmanifest"
    assert manifest["errors"] == []
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []
    context.close()


def test_offline_changes_wait_and_are_applied_once_back_online(
    live_server, browser, day, owner, customer
):
    _call, first, second, third, _ = day
    context, page = open_app(browser, live_server.url)
    context.set_offline(True)
    page.locator("#offline-banner").wait_for()
    assert page.locator("#offline-banner").inner_text().startswith("offline — last updated ")

    row(page, first).get_by_role("button", name="Done").click()
    row(page, second).get_by_role("button", name="Skip").click()
    row(page, third).get_by_role("button", name="Snooze").click()
    note = row(page, first).locator("details.quick-note")
    note.locator("summary").click()
    note.locator("textarea").fill("Daughter starts college in May")
    note.get_by_role("button", name="Save the note").click()
    page.wait_for_function("() => window.extramileOffline.pending().then(i => i.length === 4)")
    expect(page.locator("#queue-box .queue-count")).to_have_text("4 changes waiting to be sent")
    assert (
        Action.objects.filter(status=ActionStatus.OPEN).count() == 5 and not Note.objects.exists()
    )

    # Reload without a network: the phone's copy of Today, with the changes still waiting.
    page.reload()
    assert page.evaluate("document.documentElement.dataset.served") == "cache"
    assert page.locator("#offline-banner").is_visible()
    page.locator("#queue-box .queued-item").nth(3).wait_for()
    labels = page.locator("#queue-box .queued-item").all_inner_texts()
    assert labels[:3] == ["Done: Thing 1", "Skip: Thing 2", "Snooze: Thing 3"]
    assert labels[3].startswith("Note on Anna Smith: Daughter starts college")
    assert "queued" in (row(page, first).get_attribute("class") or "")

    context.set_offline(False)
    page.wait_for_function("() => window.extramileOffline.pending().then(i => i.length === 0)")
    page.locator("#queue-box .queue-said").filter(has_text="4 changes").wait_for()
    assert Action.objects.get(pk=first.pk).status == ActionStatus.DONE
    assert Action.objects.get(pk=second.pk).status == ActionStatus.SKIPPED
    assert Action.objects.get(pk=third.pk).status == ActionStatus.SNOOZED
    assert list(Note.objects.values_list("text", flat=True)) == ["Daughter starts college in May"]
    assert PageRequest.objects.count() == 4
    assert not page.locator("#offline-banner").is_visible()
    # The rows show what the server did, in place.
    assert "status-done" in (row(page, first).get_attribute("class") or "")
    context.close()


def test_a_replay_cut_off_half_way_is_applied_once(live_server, browser, day, owner, customer):
    _call, first, second, *_ = day
    context, page = open_app(browser, live_server.url)
    context.set_offline(True)
    page.locator("#offline-banner").wait_for()
    row(page, first).get_by_role("button", name="Done").click()
    note = row(page, first).locator("details.quick-note")
    note.locator("summary").click()
    note.locator("textarea").fill("Wants a call after six")
    note.get_by_role("button", name="Save the note").click()
    row(page, second).get_by_role("button", name="Done").click()
    page.wait_for_function("() => window.extramileOffline.pending().then(i => i.length === 3)")

    # The second change reaches the server, which applies it; its answer never arrives.
    cut = []

    def cut_off(route):
        if route.request.method == "POST" and "/notes/" in route.request.url and not cut:
            route.fetch()  # the server applies it
            cut.append(route.request.url)
            route.abort("connectionreset")
            return
        route.continue_()

    context.route("**/*", cut_off)
    context.set_offline(False)
    page.locator("#queue-box .queue-said").filter(has_text="connection dropped").wait_for()
    assert cut and waiting(page) == 2
    assert Action.objects.get(pk=first.pk).status == ActionStatus.DONE
    assert Note.objects.count() == 1  # applied, though the phone does not know it
    assert Action.objects.get(pk=second.pk).status == ActionStatus.OPEN

    # Sent again, twice over: the note is not added again, the rest goes through.
    page.evaluate("Promise.all([window.extramileOffline.flush(), window.extramileOffline.flush()])")
    page.wait_for_function("() => window.extramileOffline.pending().then(i => i.length === 0)")
    page.evaluate("window.extramileOffline.flush()")
    assert Note.objects.count() == 1
    assert Action.objects.get(pk=second.pk).status == ActionStatus.DONE
    assert PageRequest.objects.count() == 3
    assert page.evaluate("window.extramileOffline.conflicts().then(c => c.length)") == 0
    context.close()


def test_a_change_made_elsewhere_meanwhile_is_shown_not_lost(live_server, browser, day, owner):
    _call, first, *_ = day
    context, page = open_app(browser, live_server.url)
    context.set_offline(True)
    page.locator("#offline-banner").wait_for()
    row(page, first).get_by_role("button", name="Skip").click()
    page.wait_for_function("() => window.extramileOffline.pending().then(i => i.length === 1)")
    services.complete(Action.objects.get(pk=first.pk), timezone.now())  # done on the desktop

    context.set_offline(False)
    conflict = page.locator("#queue-box .queue-conflicts li")
    conflict.wait_for()
    assert conflict.inner_text().startswith("Skip: Thing 1 — This action is already done")
    assert Action.objects.get(pk=first.pk).status == ActionStatus.DONE  # not skipped over it
    page.reload()
    conflict.wait_for()  # still there after a reload, until dismissed
    conflict.get_by_role("button", name="Dismiss").click()
    page.wait_for_function("() => window.extramileOffline.conflicts().then(c => c.length === 0)")
    context.close()


def test_logout_clears_the_cache_and_the_queue(live_server, browser, day, customer):
    context, page = open_app(browser, live_server.url)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.goto(f"{live_server.url}/")
    kept = page.evaluate(
        "caches.open('extramile-pages').then(c => c.keys()).then(k => k.map(r => new URL(r.url).pathname))"
    )
    assert set(kept) == {"/", f"/customers/{customer.pk}/"}
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/login/")
    assert page.evaluate("caches.keys()") == []
    names = page.evaluate("indexedDB.databases().then(d => d.map(x => x.name))")
    assert "extramile" not in names
    # The worker is gone too (Clear-Site-Data): offline, the user's pages are not there at all.
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    context.set_offline(True)
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        page.goto(f"{live_server.url}/customers/{customer.pk}/")
    context.close()


def test_a_call_started_from_today_is_logged_in_two_taps(live_server, browser, day, customer):
    call = day[0]
    context, page = open_app(browser, live_server.url)
    # The phone app is the edge: the tap is real, Chromium is not asked to open a tel: handler
    # (its external-protocol prompt would swallow the next clicks).
    page.evaluate(
        "document.addEventListener('click', e => e.target.closest('a.call-tel') && e.preventDefault())"
    )
    row(page, call).locator("a.call-tel").click()  # tap 1: the phone app takes over
    page.reload()  # back in ExtraMile
    prompt = row(page, call).locator(".called-prompt")
    prompt.wait_for()
    assert prompt.inner_text().startswith("You called at ")
    assert page.evaluate("document.activeElement.textContent.trim()") == "All fine"
    row(page, call).get_by_role("button", name="All fine").click()  # tap 2
    page.locator(f"#action-{call.pk}.status-done").wait_for()
    assert Call.objects.get(action=call).outcome == "all_fine"
    context.close()
