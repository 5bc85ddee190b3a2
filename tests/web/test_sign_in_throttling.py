"""Sign-in throttling (django-axes): wrong passwords for a user name (known or not) or from one
address lock sign-in for a while; the page says until when; an admin lifts it (page and command)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from extramile import clock
from extramile.accounts import throttle
from tests.conftest import NOW, PASSWORD

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(NOW, tick=False),
]  # exact lockout arithmetic

LOGIN = "/login/"
WRONG = "not the password"


def attempt(client, username, password=WRONG, address="127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times=10, address="127.0.0.1"):
    for _ in range(times):
        response = attempt(client, username, address=address)
    return response


def without_token(response) -> str:
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", response.content.decode())
    return re.sub(r'<time datetime="[^"]+">', "<time>", html)


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("today")


def test_ten_wrong_passwords_then_the_right_one_is_refused(client, owner):
    for _ in range(9):
        assert attempt(client, "olivia").status_code == 200  # the form again, with its error
    tenth = attempt(client, "olivia")
    assert tenth.status_code == 429
    right = attempt(client, "olivia", PASSWORD)
    assert not signed_in(right)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_says_when_to_try_again(client, owner, company):
    page = fail(client, "olivia")
    assert page.status_code == 429
    assert page["Retry-After"] == str(15 * 60)
    html = page.content.decode()
    # NOW is 14:30 UTC, 09:30 in New York (the company's zone): sign-in waits until 09:45 there.
    assert "until <strong><time" in html and ">09:45</time>" in html
    assert "America/New_York" in html and "in 15 minutes" in html
    # A real page: the shell (styles, brand link), and the ways on.
    assert 'class="topbar"' in html and "extramile.css" in html
    assert f'href="{reverse("login")}"' in html and f'href="{reverse("password_reset")}"' in html


def test_an_unknown_user_name_is_locked_out_alike(client, owner):
    known = fail(client, "olivia", address="10.0.0.1")
    unknown = fail(client, "nobody-here", address="10.0.0.2")
    assert known.status_code == unknown.status_code == 429
    # Nothing tells them apart: the same page, word for word (but for each one's CSRF token and
    # the instant, a moment later for the second).
    assert ">09:45</time>" in known.content.decode() and ">09:45</time>" in unknown.content.decode()
    assert without_token(known) == without_token(unknown)
    until = throttle.sign_in_locked_until("nobody-here", None, NOW)
    assert until is not None
    assert NOW + dt.timedelta(minutes=15) <= until < NOW + dt.timedelta(minutes=16)


def test_the_user_name_is_locked_from_every_address_and_its_case_does_not_matter(client, owner):
    fail(client, "olivia", times=5, address="10.0.0.1")
    fail(client, "Olivia ", times=4, address="10.0.0.2")
    assert attempt(client, "OLIVIA", address="10.0.0.3").status_code == 429
    assert attempt(client, "olivia", PASSWORD, address="10.0.0.4").status_code == 429


def test_one_address_trying_many_user_names_is_locked_out(client, owner, colleague):
    for number in range(10):
        attempt(client, f"guess{number}", address="10.0.0.9")
    # Colin's name was never tried, but this address is out of guesses.
    assert attempt(client, "colin", PASSWORD, address="10.0.0.9").status_code == 429
    assert signed_in(attempt(client, "colin", PASSWORD, address="10.0.0.10"))


def test_the_lockout_ends_after_its_period_and_retries_do_not_extend_it(
    client, owner, time_machine
):
    time_machine.move_to(NOW, tick=False)  # the failures at NOW exactly, however slow
    fail(client, "olivia")
    locked_at = clock.now()  # the clock runs: setting up may take a while on a busy machine
    time_machine.move_to(locked_at + dt.timedelta(minutes=10))
    assert attempt(client, "olivia", PASSWORD).status_code == 429  # not counted, not extended
    time_machine.move_to(locked_at + dt.timedelta(minutes=15, seconds=1))
    assert signed_in(attempt(client, "olivia", PASSWORD))


def test_a_right_password_does_not_wipe_the_count(client, owner, colleague):
    """Else anyone with an account could guess at a colleague's between sign-ins of their own."""
    fail(client, "colin", times=9)
    assert signed_in(attempt(client, "olivia", PASSWORD))
    client.logout()
    assert attempt(client, "colin").status_code == 429


def test_the_django_admin_sign_in_is_throttled_too(client, admin_user):
    for _ in range(10):
        client.post("/admin/login/", {"username": "ada", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 429


# --- unlocking ------------------------------------------------------------------------------


def test_only_an_admin_opens_the_lockouts_page(client, owner, manager):
    for user in (owner, manager):
        client.force_login(user)
        assert client.get(reverse("lockouts")).status_code == 403
        response = client.post(reverse("lockouts"), {"kind": "user name", "who": "olivia"})
        assert response.status_code == 403
    client.logout()
    assert client.get(reverse("lockouts")).status_code == 302  # to the login page


def test_an_admin_sees_the_lockouts_and_unlocks_a_user_name(client, owner, admin_user, company):
    fail(client, "olivia", address="10.0.0.1")
    client.force_login(admin_user)
    settings_page = client.get(reverse("settings")).content.decode()
    assert reverse("lockouts") in settings_page
    page = client.get(reverse("lockouts")).content.decode()
    assert "olivia" in page and "10.0.0.1" in page and "09:45" in page
    response = client.post(reverse("lockouts"), {"kind": "user name", "who": "olivia"}, follow=True)
    assert "Sign-in as “olivia” is unlocked." in response.content.decode()
    client.logout()
    assert signed_in(attempt(client, "olivia", PASSWORD, address="10.0.0.2"))


def test_an_admin_unlocks_an_address(client, owner, colleague, admin_user):
    for number in range(10):
        attempt(client, f"guess{number}", address="10.0.0.9")
    client.force_login(admin_user)
    client.post(reverse("lockouts"), {"kind": "address", "who": "10.0.0.9"})
    assert throttle.lockouts(NOW) == []
    client.logout()
    assert signed_in(attempt(client, "colin", PASSWORD, address="10.0.0.9"))


def test_the_unlock_command(client, owner, capsys):
    fail(client, "olivia", address="10.0.0.1")
    call_command("unlock", "--list")
    listed = capsys.readouterr().out
    assert "olivia" in listed and "10.0.0.1" in listed and "until 2026-11-23 14:45 UTC" in listed
    call_command("unlock", "Olivia")
    assert "Sign-in as 'olivia' is unlocked" in capsys.readouterr().out
    assert signed_in(attempt(client, "olivia", PASSWORD, address="10.0.0.2"))
    call_command("unlock", "--list")
    assert capsys.readouterr().out.strip() == "Nothing is locked out."


def test_the_unlock_command_refuses_what_it_cannot_do(db):
    with pytest.raises(CommandError, match="Say what to unlock"):
        call_command("unlock")
    with pytest.raises(CommandError, match="not an IP address"):
        call_command("unlock", "--address", "my-laptop")
    with pytest.raises(CommandError, match="either --list"):
        call_command("unlock", "olivia", "--list")


# --- the client's address -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy: the header is the client's own words
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # what the client wrote is further left
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (1, "", "127.0.0.1"),
        (1, "not-an-address", "127.0.0.1"),
    ],
)
def test_the_client_address_behind_proxies(rf, settings, proxies, forwarded, expected):
    settings.PROXIES = proxies
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1")
    assert throttle.client_address(request) == expected


# --- password-reset mails -----------------------------------------------------------------------


def ask_reset(client, email, address="127.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


@pytest.mark.parametrize("known", [True, False], ids=["an account's address", "an unknown address"])
def test_a_mailbox_gets_three_reset_mails_then_waits(
    client, owner, mailoutbox, known, time_machine
):
    email = owner.email if known else "nobody@example.com"
    for n in range(throttle.RESET_MAILS):
        assert (
            ask_reset(client, email.upper() if n else email, address=f"10.0.0.{n}").status_code
            == 302
        )
    assert len(mailoutbox) == (throttle.RESET_MAILS if known else 0)
    refused = ask_reset(client, email, address="10.0.0.99")  # from yet another address
    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    assert "Too many password-reset requests" in refused.content.decode()
    assert len(mailoutbox) == (throttle.RESET_MAILS if known else 0)  # nothing more went
    time_machine.move_to(NOW + throttle.lockout_period() + dt.timedelta(seconds=1))
    assert ask_reset(client, email, address="10.0.0.99").status_code == 302
    assert len(mailoutbox) == (throttle.RESET_MAILS + 1 if known else 0)


def test_one_address_asking_for_many_mailboxes_waits(client, owner):
    for n in range(throttle.failure_limit()):
        assert ask_reset(client, f"someone{n}@example.com").status_code == 302
    assert ask_reset(client, owner.email).status_code == 429
    assert ask_reset(client, owner.email, address="10.1.1.1").status_code == 302


def test_the_mailbox_is_counted_without_its_address(client, owner, admin_user, company):
    for _ in range(throttle.RESET_MAILS):
        ask_reset(client, owner.email, address="10.0.0.7")
    lockouts = throttle.lockouts(clock.now())
    assert [(lockout.label, lockout.who.startswith("mailbox ")) for lockout in lockouts] == [
        ("Password-reset mails", True)
    ]
    assert owner.email not in str(list(throttle.SecretFailures.objects.values()))
    throttle.unlock_address(lockouts[0].who)  # an admin lifts it like any address
    assert ask_reset(client, owner.email).status_code == 302
