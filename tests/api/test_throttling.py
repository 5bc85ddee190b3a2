"""A client that sends wrong API tokens (or calendar links) too often is locked out for a while:
429 with Retry-After, even for a right token, before its token is looked at; other clients are not."""

from __future__ import annotations

import datetime as dt

import pytest

from extramile.accounts import throttle
from extramile.accounts.models import Door, SecretFailures
from extramile.feeds import links
from tests.api.conftest import Api, token_for
from tests.conftest import NOW

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(NOW, tick=False),
]  # exact lockout arithmetic

ADDRESS = "203.0.113.5"
WRONG = "em_not-a-real-token"


def guess(client, address=ADDRESS, secret=WRONG):
    return client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}", REMOTE_ADDR=address)


def test_ten_wrong_tokens_lock_the_client_out_even_for_a_right_token(client, owner):
    for _ in range(10):
        assert guess(client).status_code == 401
    right = token_for(owner)
    locked = guess(client, secret=right)
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(15 * 60)
    assert locked.json() == {
        "detail": "Too many refused API tokens from your address: try again in 15 minutes "
        "(after 14:45 UTC)."
    }
    # Another client with the right token is not held up.
    assert guess(client, address="198.51.100.1", secret=right).status_code == 200


def test_the_lockout_ends_after_its_period(client, owner, time_machine):
    time_machine.move_to(NOW, tick=False)  # the failures at NOW exactly, however slow
    for _ in range(10):
        guess(client)
    right = token_for(owner)
    time_machine.move_to(NOW + dt.timedelta(minutes=14))
    assert guess(client, secret=right).status_code == 429
    time_machine.move_to(NOW + dt.timedelta(minutes=15, seconds=1))
    assert guess(client, secret=right).status_code == 200
    # A fresh start: one more wrong token does not lock it again.
    assert guess(client).status_code == 401
    assert guess(client, secret=right).status_code == 200


def test_failures_spread_wider_than_the_period_do_not_add_up(client, owner, time_machine):
    for minute in range(0, 160, 16):  # ten wrong tokens, 16 minutes apart
        time_machine.move_to(NOW + dt.timedelta(minutes=minute))
        assert guess(client).status_code == 401
    assert guess(client, secret=token_for(owner)).status_code == 200


def test_a_request_without_a_token_is_not_a_guess(client, owner):
    for _ in range(12):
        assert client.get("/api/me", REMOTE_ADDR=ADDRESS).status_code == 401
    assert not SecretFailures.objects.exists()
    assert guess(client, secret=token_for(owner)).status_code == 200


def test_behind_a_proxy_the_forwarded_address_is_the_client(client, owner, settings):
    settings.PROXIES = 1
    for _ in range(10):
        client.get(
            "/api/me",
            HTTP_AUTHORIZATION="Bearer em_wrong",
            HTTP_X_FORWARDED_FOR="203.0.113.77",
            REMOTE_ADDR="10.0.0.1",
        )
    api = Api(client, token_for(owner))
    assert api.get("/api/me", headers={"X-Forwarded-For": "203.0.113.77"}).status_code == 429
    # The proxy's other clients are not locked out with it.
    assert api.get("/api/me", headers={"X-Forwarded-For": "203.0.113.78"}).status_code == 200


def test_an_admin_unlocks_the_client(client, owner, admin_user):
    for _ in range(10):
        guess(client)
    assert [(lock.door, lock.who) for lock in throttle.lockouts(NOW)] == [(Door.API, ADDRESS)]
    client.force_login(admin_user)
    client.post("/settings/lockouts/", {"kind": "address", "who": ADDRESS})
    client.logout()
    assert guess(client, secret=token_for(owner)).status_code == 200


def test_the_openapi_document_lists_the_429(client, company):
    spec = client.get("/api/openapi.json").json()
    me = spec["paths"]["/api/me"]["get"]["responses"]
    assert "429" in me


# --- calendar links -------------------------------------------------------------------------


def feed(client, secret, address=ADDRESS):
    return client.get(f"/calendar/{secret}.ics", REMOTE_ADDR=address)


def test_wrong_calendar_links_lock_the_client_out(client, owner):
    _, secret = links.issue(owner, NOW)
    for number in range(10):
        assert feed(client, f"guess-{number}").status_code == 404
    locked = feed(client, secret)
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(15 * 60)
    assert "try again in 15 minutes" in locked.content.decode()
    # Olivia's calendar app, elsewhere, still reads her link.
    assert feed(client, secret, address="198.51.100.1").status_code == 200
    # The API is another door: its count is its own.
    assert guess(client, secret=token_for(owner)).status_code == 200
