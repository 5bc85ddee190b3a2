"""The installable app's server side: the manifest, the service worker from the site root, the
offline page, Idempotency-Key on page POSTs (a replay is applied once), logout clearing the
browser's copies, and no inline script in the pages."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse

from extramile.agenda.models import Action, ActionStatus, Priority
from extramile.offline.models import PageRequest
from extramile.timeline.models import Note
from tests.conftest import NOW, login

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "extramile" / "web" / "templates"


@pytest.fixture
def action(owner, customer):
    return Action.objects.create(
        key="promise:1", kind="promise", owner=owner, customer=customer,
        title="Keep the promise", due_on=owner.local_date(NOW), priority=Priority.NORMAL,
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def test_manifest_meets_the_install_criteria(client, company):
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert (
        data["name"] == "ExtraMile" and data["start_url"] == "/" and data["display"] == "standalone"
    )
    assert data["theme_color"] == "#0f6b5c"
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_the_service_worker_is_served_from_the_root(client, company):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    body = response.content.decode()
    assert body.startswith('const VERSION = "') and "/offline/" in body
    assert "/static/extramile/offline.js" in body
    assert client.get("/offline/").status_code == 200


def test_pages_link_the_manifest_and_the_script(client, owner):
    page = login(client, owner).get(reverse("today")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'src="/static/extramile/offline.js"' in page
    assert f'data-user="{owner.pk}"' in page and re.search(r'data-updated="\d\d:\d\d"', page)


def test_no_inline_script_or_event_attributes_in_my_templates():
    mine = [
        *TEMPLATES.glob("timeline/*.html"), *TEMPLATES.glob("replies/*.html"),
        *TEMPLATES.glob("offline/*.html"), TEMPLATES / "base.html",
    ]  # fmt: skip
    for path in mine:
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+\s*=", text), path


def test_a_page_post_with_an_idempotency_key_is_done_once(client, owner, action):
    login(client, owner)
    url = reverse("action-done", args=[action.pk])
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_IDEMPOTENCY_KEY": "k-1"}
    first = client.post(url, {"outcome": ""}, **headers)
    assert first.status_code == 200 and "status-done" in first.content.decode()
    completed = Action.objects.get(pk=action.pk).completed_at
    again = client.post(url, {"outcome": ""}, **headers)
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content  # the same answer, not "already done"
    assert Action.objects.get(pk=action.pk).completed_at == completed
    assert PageRequest.objects.count() == 1
    # Without the key a second post is a conflict, reported in the header too.
    third = client.post(url, {"outcome": ""}, HTTP_HX_REQUEST="true")
    assert "X-Problem" in third


def test_the_same_key_for_another_change_is_refused(client, owner, customer, action):
    login(client, owner)
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_IDEMPOTENCY_KEY": "k-2"}
    url = reverse("customer-add-note", args=[customer.pk])
    assert client.post(url, {"text": "One"}, **headers).status_code == 200
    assert client.post(url, {"text": "Two"}, **headers).status_code == 409
    other = client.post(reverse("action-done", args=[action.pk]), {}, **headers)
    assert other.status_code == 409
    assert list(Note.objects.values_list("text", flat=True)) == ["One"]
    assert Action.objects.get(pk=action.pk).status == ActionStatus.OPEN


def test_a_refused_change_stores_nothing_and_can_be_sent_again(client, owner, customer):
    login(client, owner)
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_IDEMPOTENCY_KEY": "k-3"}
    url = reverse("check-in")
    assert client.post(url, {"score": "9"}, **headers).status_code == 422
    assert not PageRequest.objects.exists()
    assert client.post(url, {"score": "4"}, **headers).status_code == 200
    assert PageRequest.objects.count() == 1


def test_keys_are_per_user(client, owner, colleague, customer, colleague_customer):
    for user, person in ((owner, customer), (colleague, colleague_customer)):
        login(client, user)
        url = reverse("customer-add-note", args=[person.pk])
        client.post(url, {"text": "Same key"}, HTTP_IDEMPOTENCY_KEY="shared")
    assert Note.objects.count() == 2


def test_keys_are_kept_a_week(client, owner, customer, time_machine):
    login(client, owner)
    url = reverse("customer-add-note", args=[customer.pk])
    client.post(url, {"text": "Once"}, HTTP_IDEMPOTENCY_KEY="old")
    time_machine.shift(dt.timedelta(days=8))
    login(client, owner)
    client.post(url, {"text": "Other"}, HTTP_IDEMPOTENCY_KEY="new")
    assert list(PageRequest.objects.values_list("key", flat=True)) == ["new"]


def test_logout_tells_the_browser_to_forget(client, owner):
    login(client, owner)
    response = client.post(reverse("logout"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'
