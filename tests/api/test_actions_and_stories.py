"""/api/actions (Today's list, done and skip with Today's rules) and /api/stories (privacy)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from extramile.agenda.models import Action, ActionStatus, Priority
from extramile.book.models import Promise
from extramile.culture.models import Story, Visibility

pytestmark = pytest.mark.django_db


def action(owner, key, kind="follow_up", priority=Priority.NORMAL, days=0, **extra):
    now = timezone.now()
    today = owner.local_date(now)
    return Action.objects.create(
        key=key,
        kind=kind,
        owner=owner,
        title=key,
        due_on=today + dt.timedelta(days=days),
        priority=priority,
        created_at=now,
        updated_at=now,
        **extra,
    )


def test_today_lists_the_users_pending_work_most_important_first(as_owner, owner, colleague):
    later = action(owner, "follow-up")
    first = action(owner, "service", "service", Priority.SERVICE)
    action(owner, "tomorrow", days=1)
    action(owner, "done", status=ActionStatus.DONE)
    action(colleague, "colleague's")
    page = as_owner.get("/api/actions/today").json()
    assert [a["id"] for a in page["results"]] == [first.pk, later.pk]
    assert page["count"] == 2
    assert page["results"][0]["kind"] == "service" and page["results"][0]["owner"] == "olivia"


def test_a_value_adding_extra_needs_its_answer(as_owner, owner, customer):
    lunch = action(owner, "lunch", "lunch", customer=customer)
    listed = as_owner.get(f"/api/actions/{lunch.pk}").json()
    assert listed["needs_value_answer"] is True
    refused = as_owner.post(f"/api/actions/{lunch.pk}/complete", {"outcome": "Lovely"})
    # The request is well formed; the action's kind (what is stored) asks for more: a 409.
    assert refused.status_code == 409
    assert "How will this create more value" in refused.json()["detail"]
    lunch.refresh_from_db()
    assert lunch.status == ActionStatus.OPEN
    done = as_owner.post(
        f"/api/actions/{lunch.pk}/complete",
        {"outcome": "Lovely", "value_answer": "Learned about their expansion plans"},
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done"
    lunch.refresh_from_db()
    assert lunch.value_answer == "Learned about their expansion plans"


def test_completing_a_promise_marks_the_promise_met(as_owner, owner, customer):
    promise = Promise.objects.create(
        customer=customer, description="Call back", due_on="2026-11-20"
    )
    item = action(owner, f"promise:{promise.pk}", "promise", Priority.PROMISE)
    assert as_owner.post(f"/api/actions/{item.pk}/complete", {}).status_code == 200
    promise.refresh_from_db()
    assert promise.met_at is not None


def test_closing_twice_is_409(as_owner, owner):
    item = action(owner, "once")
    assert (
        as_owner.post(f"/api/actions/{item.pk}/skip", {"reason": "Not needed"}).json()["outcome"]
        == "Not needed"
    )
    again = as_owner.post(f"/api/actions/{item.pk}/complete", {})
    assert again.status_code == 409
    assert again.json() == {"detail": "This action is already skipped."}


def test_another_users_action_is_404(as_outsider, owner):
    item = action(owner, "mine")
    assert as_outsider.post(f"/api/actions/{item.pk}/complete", {}).status_code == 404
    assert as_outsider.post(f"/api/actions/{item.pk}/skip", {}).status_code == 404
    item.refresh_from_db()
    assert item.status == ActionStatus.OPEN


def story(author, visibility=Visibility.TEAM, **extra):
    now = timezone.now()
    return Story.objects.create(
        author=author,
        date=author.local_date(now),
        what_done=f"{author}'s story",
        visibility=visibility,
        created_at=now,
        updated_at=now,
        **extra,
    )


def test_private_stories_only_for_their_author(as_owner, as_outsider, owner, outsider):
    mine = story(owner, Visibility.PRIVATE)
    shared = story(outsider)
    secret = story(outsider, Visibility.PRIVATE)
    ids = {s["id"] for s in as_owner.get("/api/stories").json()["results"]}
    assert ids == {mine.pk, shared.pk}
    assert as_owner.get(f"/api/stories/{secret.pk}").status_code == 404
    assert as_outsider.get(f"/api/stories/{mine.pk}").status_code == 404
    private_only = as_outsider.get("/api/stories", visibility="private").json()["results"]
    assert [s["id"] for s in private_only] == [secret.pk]


def test_a_team_story_names_its_customer_only_to_who_may_see_them(
    as_owner, as_outsider, owner, customer
):
    shared = story(owner, customer=customer)
    assert as_owner.get(f"/api/stories/{shared.pk}").json()["customer"] == customer.pk
    seen_by_outsider = as_outsider.get(f"/api/stories/{shared.pk}").json()
    assert seen_by_outsider["customer"] is None and seen_by_outsider["author"] == "olivia"


def test_write_and_edit_a_story(as_owner, as_outsider, customer, colleague):
    body = {"what_done": "Drove the spare key over", "customer": customer.pk, "coworker": "colin"}
    created = as_owner.post("/api/stories", body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["visibility"] == "team" and data["coworker"] == "colin" and data["kudos"] == 0
    changed = as_owner.patch(f"/api/stories/{data['id']}", {"lesson": "Keep a spare"}).json()
    assert changed["lesson"] == "Keep a spare" and changed["what_done"] == body["what_done"]
    refused = as_outsider.patch(f"/api/stories/{data['id']}", {"lesson": "Mine now"})
    assert refused.status_code == 403
    future = as_owner.post("/api/stories", {"what_done": "x", "date": "2099-01-01"})
    assert future.status_code == 409 and "happened" in future.json()["detail"]


def test_a_story_about_another_books_customer_is_refused(as_outsider, customer):
    response = as_outsider.post("/api/stories", {"what_done": "x", "customer": customer.pk})
    assert response.status_code == 404
    assert response.json()["detail"] == f"There is no customer {customer.pk} that you can see."
    assert not Story.objects.exists()
