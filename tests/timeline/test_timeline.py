"""The customer timeline: every source once, newest first, filtered, keyset-paged without gaps or
repeats (ties included, day-only records included); private stories stay private; notes from
Today, the customer page and the API, scoped like everything else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from extramile.agenda.models import Action, Priority
from extramile.articles.models import Article, ArticleMailing
from extramile.book.models import Contact, Promise, Referral, Sale
from extramile.book.services import add_email, record_contact
from extramile.cards.models import Card, Occasion
from extramile.culture.models import Story
from extramile.inbox.models import Channel
from extramile.inbox.services import mark_replied, receive
from extramile.outreach import outcomes
from extramile.outreach.models import Call
from extramile.service.services import open_request
from extramile.timeline import timeline
from extramile.timeline.models import Note
from extramile.timeline.services import add_note
from extramile.value.models import Invitation
from tests.api.conftest import Api, token_for
from tests.conftest import NOW, login, make_customer

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
HOUR = dt.timedelta(hours=1)


def call_action(owner, customer, day):
    return Action.objects.create(
        key=f"call:{customer.pk}:{day}",
        kind="call",
        owner=owner,
        customer=customer,
        title=f"Call {customer.full_name}",
        due_on=day,
        priority=Priority.CALL,
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.fixture
def history(owner, colleague, customer, now):
    """One record of every kind, an hour apart, newest first in this order."""
    t = now - dt.timedelta(days=3)
    add_note(customer, owner, "Prefers calls after 5", t - 1 * HOUR)
    action = call_action(owner, customer, owner.local_date(t))
    outcomes.all_fine(action, t - 2 * HOUR, owner, "Loves the new car")
    record_contact(customer, t - 3 * HOUR, "meeting", owner, "Met at the open day")
    add_email(customer, "anna@example.com")
    message = receive(
        channel=Channel.EMAIL,
        from_address="anna@example.com",
        received_at=t - 5 * HOUR,
        summary="Is my car ready?",
        now=t - 5 * HOUR,
        owner=owner,
    ).message
    mark_replied(message, owner, t - 4 * HOUR)
    occasion = Occasion.objects.first()
    Card.objects.create(
        occasion=occasion,
        year=2026,
        occasion_on=(t - 6 * HOUR).date(),
        mail_by=(t - 6 * HOUR).date(),
        owner=owner,
        customer=customer,
        status="mailed",
        mailed_at=t - 6 * HOUR,
        created_at=t,
        updated_at=t,
    )
    article = Article.objects.create(
        title="Winter tyres", url="https://example.com/t", created_at=t
    )
    ArticleMailing.objects.create(
        customer=customer,
        owner=owner,
        article=article,
        planned_on=(t - 7 * HOUR).date(),
        status="sent",
        sent_at=t - 7 * HOUR,
        sent_on=(t - 7 * HOUR).date(),
        created_at=t,
        updated_at=t,
    )
    open_request(customer=customer, subject="Rattle", opened_by=owner, now=t - 8 * HOUR)
    promise = Promise.objects.create(
        customer=customer, description="Send the brochure", due_on=t.date()
    )
    Promise.objects.filter(pk=promise.pk).update(created_at=t - 9 * HOUR, met_at=t - 1.5 * HOUR)
    # Day-only records, days earlier.
    Sale.objects.create(
        customer=customer,
        date=(t - dt.timedelta(days=2)).date(),
        description="Estate car",
        amount=30000,
    )
    friend = make_customer(owner, "Ben", "Friend")
    Referral.objects.create(
        referrer=customer, referred=friend, date=(t - dt.timedelta(days=3)).date()
    )
    Story.objects.create(
        author=owner,
        customer=customer,
        date=(t - dt.timedelta(days=4)).date(),
        what_done="Drove her home in the rain",
        created_at=t,
        updated_at=t,
    )
    Story.objects.create(
        author=colleague,
        customer=customer,
        date=(t - dt.timedelta(days=4)).date(),
        what_done="Colin's own secret",
        visibility="private",
        created_at=t,
        updated_at=t,
    )
    Invitation.objects.create(
        customer=customer,
        owner=owner,
        period_start=(t - dt.timedelta(days=30)).date(),
        suggested_on=(t - dt.timedelta(days=30)).date(),
        kind="lunch",
        status="held",
        meal_on=(t - dt.timedelta(days=5)).date(),
        notes="Talked about her daughter",
        created_at=t,
        updated_at=t,
    )
    return customer


def test_every_source_once_newest_first(history, owner):
    entries = timeline.page(history, owner, limit=100).entries
    kinds = [e.kind for e in entries]
    assert kinds[:10] == [
        "note",
        "promise",
        "call",
        "contact",
        "reply",
        "message",
        "card",
        "article",
        "service",
        "promise",
    ]
    assert kinds[10:] == ["sale", "referral", "story", "lunch"]
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    call = next(e for e in entries if e.kind == "call")
    assert call.text == "Loves the new car" and call.title == "Call: all fine"
    # The call's contact, the reply's contact are not listed twice.
    assert Contact.objects.filter(customer=history).count() == 3
    assert kinds.count("contact") == 1
    assert "Colin's own secret" not in str(entries)


def test_a_private_story_is_its_authors_only(history, colleague, manager):
    # The colleague sees it (theirs), the manager does not.
    texts = [e.text for e in timeline.page(history, colleague, limit=100).entries]
    assert "Colin's own secret" in texts
    texts = [e.text for e in timeline.page(history, manager, limit=100).entries]
    assert "Colin's own secret" not in texts and "Drove her home in the rain" in texts


def test_filter_by_kind(history, owner):
    entries = timeline.page(history, owner, kinds=["promise", "sale"]).entries
    assert [e.kind for e in entries] == ["promise", "promise", "sale"]
    assert [e.title for e in entries][:2] == [
        "Met: Send the brochure",
        "We promised: Send the brochure",
    ]


def test_keyset_pages_have_no_gaps_or_repeats_even_on_ties(owner, customer, now):
    # Many records at the very same moments, across sources, and several sales a day.
    moments = [now - dt.timedelta(days=d) for d in (1, 1, 2, 5)]
    for i, at in enumerate(moments * 3):
        add_note(customer, owner, f"note {i}", at)
        record_contact(customer, at, "visit", owner, f"visit {i}")
    for i, day in enumerate([now.date() - dt.timedelta(days=d) for d in (1, 1, 1, 3, 3, 9)]):
        Sale.objects.create(customer=customer, date=day, description=f"sale {i}", amount=10)
    everything = timeline.page(customer, owner, limit=1000).entries
    assert len(everything) == 12 + 12 + 6
    for size in (1, 4, 7):
        seen, cursor = [], None
        for _ in range(100):
            found = timeline.page(customer, owner, after=cursor, limit=size)
            seen.extend(found.entries)
            cursor = found.next
            if cursor is None:
                break
        assert [(e.kind, e.pk) for e in seen] == [(e.kind, e.pk) for e in everything], size
    keys = [e.sort_key for e in everything]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == len(keys)


def test_cursor_round_trips_and_rubbish_is_the_first_page(owner, customer, now):
    cursor = timeline.Cursor(now, 3, 42)
    assert timeline.Cursor.decode(cursor.encode()) == cursor
    for rubbish in ["", "abc", "!!!", "MjAyNi0xMS0yMw"]:
        assert timeline.Cursor.decode(rubbish) is None


def test_the_customer_page_shows_the_timeline_and_pages_on(client, owner, history):
    page = login(client, owner).get(reverse("customer", args=[history.pk])).content.decode()
    assert 'id="timeline"' in page and "Prefers calls after 5" in page
    page = client.get(reverse("customer", args=[history.pk]), {"kind": "sale"}).content.decode()
    assert "Estate car" in page and "Prefers calls after 5" not in page
    first = timeline.page(history, owner, limit=3)
    assert first.next is not None
    more = client.get(
        reverse("customer-timeline", args=[history.pk]), {"after": first.next.encode()}, **HTMX
    ).content.decode()
    assert "Loves the new car" not in more  # on page one (third entry)
    assert "Met at the open day" in more


def test_another_teams_customer_timeline_is_a_404(client, owner, outsider_customer):
    login(client, owner)
    assert client.get(reverse("customer-timeline", args=[outsider_customer.pk])).status_code == 404
    response = client.post(reverse("customer-add-note", args=[outsider_customer.pk]), {"text": "x"})
    assert response.status_code == 404
    assert not Note.objects.exists()


def test_a_rep_notes_only_their_own_book(client, owner, colleague_customer, manager):
    login(client, owner)
    response = client.post(
        reverse("customer-add-note", args=[colleague_customer.pk]), {"text": "x"}
    )
    assert response.status_code == 404
    login(client, manager)
    response = client.post(
        reverse("customer-add-note", args=[colleague_customer.pk]), {"text": "Seen at the lot"}
    )
    assert response.status_code == 302
    assert Note.objects.get().author == manager


def test_quick_note_from_today_answers_in_place(client, owner, customer):
    login(client, owner)
    response = client.post(
        reverse("customer-add-note", args=[customer.pk]),
        {"text": " Daughter starts college ", "row": "today"},
        **HTMX,
    )
    assert "Noted on" in response.content.decode()
    assert Note.objects.get().text == "Daughter starts college"
    response = client.post(
        reverse("customer-add-note", args=[customer.pk]), {"text": "  ", "row": "today"}, **HTMX
    )
    assert "Write the note first." in response.content.decode()
    assert response["X-Problem"] == "Write%20the%20note%20first."
    response = client.post(
        reverse("customer-add-note", args=[customer.pk]), {"text": "a\x00b", "row": "today"}, **HTMX
    )
    assert "NUL character" in response.content.decode()
    assert Note.objects.count() == 1


def test_quick_note_from_the_customer_page_refreshes_the_timeline(client, owner, customer):
    login(client, owner)
    response = client.post(
        reverse("customer-add-note", args=[customer.pk]), {"text": "Likes tea"}, **HTMX
    )
    assert 'id="timeline"' in response.content.decode() and "Likes tea" in response.content.decode()


def test_today_rows_have_a_quick_note(client, owner, customer, now):
    call_action(owner, customer, owner.local_date(now))
    page = login(client, owner).get(reverse("today")).content.decode()
    assert reverse("customer-add-note", args=[customer.pk]) in page
    assert 'name="note"' in page  # the call outcome's note


def test_call_outcomes_take_a_note(client, owner, customer, now):
    day = owner.local_date(now)
    action = call_action(owner, customer, day)
    login(client, owner)
    client.post(
        reverse("call-outcome", args=[action.pk, "no-answer"]), {"note": "Left a voicemail"}, **HTMX
    )
    call = Call.objects.get()
    assert call.note == "Left a voicemail"
    assert "Left a voicemail" in Action.objects.get(pk=action.pk).outcome
    other = call_action(owner, customer, day + dt.timedelta(days=7))
    other.key = "call:other"
    other.save()
    client.post(
        reverse("call-outcome", args=[other.pk, "all-fine"]),
        {"note": "Happy with the service"},
        **HTMX,
    )
    assert Call.objects.get(action=other).note == "Happy with the service"
    entries = timeline.page(customer, owner).entries
    assert [e.text for e in entries if e.kind == "call"] == [
        "Happy with the service",
        "Left a voicemail",
    ]


@pytest.mark.parametrize(
    "who, status", [("owner", 201), ("colleague", 404), ("outsider", 404), ("manager", 201)]
)
def test_api_note_is_scoped(client, request, customer, who, status):
    user = request.getfixturevalue(who)
    api = Api(client, token_for(user))
    response = api.post(f"/api/customers/{customer.pk}/notes", {"text": "Called about the MOT"})
    assert response.status_code == status, response.content
    assert Note.objects.count() == (1 if status == 201 else 0)


def test_api_note_honours_the_idempotency_key_and_refuses_empty(client, owner, customer):
    api = Api(client, token_for(owner))
    for _ in range(2):
        response = api.post(
            f"/api/customers/{customer.pk}/notes", {"text": "Once"}, **{"Idempotency-Key": "n-1"}
        )
        assert response.status_code == 201
    assert Note.objects.count() == 1
    assert api.post(f"/api/customers/{customer.pk}/notes", {"text": "   "}).status_code == 422
    assert api.post(f"/api/customers/{customer.pk}/notes", {"text": ""}).status_code == 422
    assert Note.objects.count() == 1
    assert (
        Api(client, token_for(None))
        .post(f"/api/customers/{customer.pk}/notes", {"text": "x"})
        .status_code
        == 403
    )


def test_openapi_lists_the_note_operation_with_its_statuses(client, company):
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/customers/{customer_id}/notes"]["post"]
    assert {"201", "400", "401", "403", "404", "409", "422", "500"} <= set(operation["responses"])
    names = {p["name"] for p in operation.get("parameters", [])}
    assert "Idempotency-Key" in names


def test_timeline_queries_are_one_per_source(django_assert_max_num_queries, history, owner):
    # One per source, plus the company's time zone.
    with django_assert_max_num_queries(len(timeline.SOURCES) + 1):
        timeline.page(history, owner, limit=5)
