"""The Inbox page, the quick-log form on every page, and the reply row on Today."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from extramile.agenda.models import Action, ActionStatus
from extramile.book.models import Customer, PhoneNumber
from extramile.inbox.models import InboundMessage
from extramile.inbox.services import receive
from tests.conftest import login

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def arrived(minutes_ago: int = 5, **extra) -> InboundMessage:
    now = timezone.now()
    extra.setdefault("channel", "call")
    extra.setdefault("from_address", "+1 212 555 0199")
    return receive(
        received_at=now - dt.timedelta(minutes=minutes_ago),
        summary="Wants a quote",
        now=now,
        **extra,
    ).message


def test_the_quick_log_form_is_on_every_page(client, owner):
    page = login(client, owner).get(reverse("customers")).content.decode()
    assert 'action="/inbox/log/"' in page and "Log a message" in page


def test_quick_log_logs_and_redirects_back_with_a_message(client, owner, customer):
    PhoneNumber.objects.create(customer=customer, number="+12125550100")
    response = login(client, owner).post(
        reverse("inbox-log"),
        {
            "channel": "call",
            "sender": "212-555-0100",
            "summary": "Call back",
            "next": "/customers/",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/customers/"
    assert "Logged call from Anna Smith" in response.content.decode()
    message = InboundMessage.objects.get()
    assert message.owner == owner and message.customer == customer


def test_quick_log_answers_htmx_with_a_fragment_and_refuses_a_bad_number(client, owner):
    login(client, owner)
    response = client.post(reverse("inbox-log"), {"channel": "text", "sender": "call me"}, **HTMX)
    assert "is not a phone number" in response.content.decode()
    assert "<html" not in response.content.decode()
    response = client.post(
        reverse("inbox-log"),
        {"channel": "text", "sender": "+44 20 7946 0958", "received_at": "2026-11-23T09:10"},
        **HTMX,
    )
    assert "Logged text unmatched" in response.content.decode()
    # A local time is the user's (New York): 09:10 there is 14:10 UTC.
    assert InboundMessage.objects.get().received_at == dt.datetime(
        2026, 11, 23, 14, 10, tzinfo=dt.UTC
    )


def test_quick_log_never_redirects_elsewhere(client, owner):
    response = login(client, owner).post(
        reverse("inbox-log"),
        {"channel": "text", "sender": "+12125550199", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("today")


def test_the_today_row_shows_the_clock_and_a_replied_button(client, owner):
    message = arrived(owner=owner, from_name="Nina")
    page = login(client, owner).get(reverse("today")).content.decode()
    assert "Reply to Nina (call)" in page
    assert 'href="tel:+12125550199"' in page
    assert reverse("inbox-replied", args=[message.pk]) in page
    assert "left" in page or "overdue by" in page
    assert "Snooze" not in page
    action = Action.objects.get(key=f"reply:{message.pk}")
    response = client.post(reverse("inbox-replied", args=[message.pk]), {"row": "today"}, **HTMX)
    assert f'id="action-{action.pk}"' in response.content.decode()
    assert "Replied" in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_the_inbox_lists_owed_unmatched_and_answered(client, owner):
    owed = arrived(owner=owner, from_name="Owen Owed")
    done = arrived(minutes_ago=30, owner=owner, from_address="+12125550198", from_name="Dot Done")
    login(client, owner).post(reverse("inbox-replied", args=[done.pk]))
    page = client.get(reverse("inbox")).content.decode()
    assert "Owen Owed" in page and "Dot Done" in page
    assert "Replies owed" in page and "Unmatched" in page and "Answered recently" in page
    assert "100%" in page  # one answered, in time
    assert "Replies by rep" not in page  # a rep sees no team figures
    assert reverse("inbox-replied", args=[owed.pk]) in page


def test_match_and_create_customer_from_the_inbox(client, owner, customer):
    message = arrived(owner=owner, from_name="Anna Smith")
    login(client, owner)
    page = client.get(reverse("inbox"), {"match": message.pk, "q": "Smith"}).content.decode()
    assert "Create and match" in page and 'value="Anna"' in page
    client.post(reverse("inbox-match", args=[message.pk]), {"customer": customer.pk})
    message.refresh_from_db()
    assert message.customer == customer
    stranger = arrived(owner=owner, from_address="dana@example.com", channel="email")
    response = client.post(
        reverse("inbox-create-customer", args=[stranger.pk]),
        {"first_name": "Dana", "last_name": "Lee"},
    )
    dana = Customer.objects.get(first_name="Dana")
    assert response["Location"] == reverse("customer", args=[dana.pk])
    assert dana.owner == owner and dana.emails.get().address == "dana@example.com"


def test_scoping_another_teams_messages_are_absent_or_404(client, owner, outsider, manager):
    theirs = arrived(owner=outsider, from_name="Xavier Theirs")
    arrived(from_name="Una Assigned")
    login(client, owner)
    page = client.get(reverse("inbox")).content.decode()
    assert "Xavier Theirs" not in page and "Una Assigned" not in page
    assert client.post(reverse("inbox-replied", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("inbox"), {"match": theirs.pk}).status_code == 404
    assert client.post(reverse("inbox-match", args=[theirs.pk]), {"customer": 1}).status_code == 404
    client.logout()
    login(client, manager)
    page = client.get(reverse("inbox")).content.decode()
    assert "Una Assigned" in page and "Xavier Theirs" not in page
    assert "Replies by rep" in page


def test_a_rep_cannot_match_to_another_teams_customer(client, owner, outsider_customer):
    message = arrived(owner=owner)
    response = login(client, owner).post(
        reverse("inbox-match", args=[message.pk]), {"customer": outsider_customer.pk}
    )
    assert response.status_code == 404


def test_admins_create_and_revoke_api_tokens_in_settings(client, admin_user, owner):
    login(client, admin_user)
    page = client.post(reverse("settings"), {"token-name": "Phone system"}).content.decode()
    from extramile.accounts.models import ApiToken

    token = ApiToken.objects.get()
    assert "shown only this once" in page and token.prefix in page
    assert "Phone system" in client.get(reverse("settings")).content.decode()
    assert "shown only this once" not in client.get(reverse("settings")).content.decode()
    client.post(reverse("settings"), {"revoke-token": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    login(client, owner)
    assert "API tokens" not in client.get(reverse("settings")).content.decode()
    assert client.post(reverse("settings"), {"token-name": "Mine"}).status_code == 403
