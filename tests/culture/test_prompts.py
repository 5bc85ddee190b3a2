"""Today's story prompts: the week's (first working day, closed by a story dated that week,
expires at the week's end) and the one a resolved went-wrong service request leaves, with its
private draft; and the data migration that moved the old request stories into Story rows."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extramile import business_hours
from extramile.agenda import services as agenda
from extramile.agenda.models import Action, ActionStatus
from extramile.culture.models import Story, Visibility
from extramile.culture.planners import first_working_day
from extramile.culture.services import save_story
from extramile.service import services as service
from extramile.service.models import ServiceRequest
from tests.conftest import NOW, PASSWORD
from tests.culture.conftest import MONDAY, at, plan_stories, story

LABOR_DAY = dt.date(2026, 9, 7)


def weekly(user, start=MONDAY) -> Action:
    return Action.objects.get(key=f"story:{user.pk}:{start.isoformat()}")


def test_monday_asks_everyone_without_a_story_this_week(owner, colleague):
    story(colleague, "Already wrote mine.")
    plan_stories(MONDAY)
    ask = weekly(owner)
    assert (ask.kind, ask.title, ask.due_on, ask.expires_on) == (
        "story",
        "Write this week's extra-mile story",
        MONDAY,
        dt.date(2026, 11, 29),
    )
    assert ask in agenda.today(owner, MONDAY)
    assert not Action.objects.filter(owner=colleague, kind="story").exists()


def test_after_a_monday_holiday_the_prompt_waits_for_tuesday(owner):
    plan_stories(LABOR_DAY)
    assert not Action.objects.filter(kind="story").exists()
    plan_stories(LABOR_DAY + dt.timedelta(days=1))
    assert weekly(owner, LABOR_DAY).due_on == LABOR_DAY + dt.timedelta(days=1)


def test_a_story_dated_this_week_closes_the_prompt_and_replanning_keeps_it_closed(owner):
    plan_stories(MONDAY)
    story(owner, now=at(MONDAY + dt.timedelta(days=2)), date=MONDAY + dt.timedelta(days=1))
    assert weekly(owner).status == ActionStatus.DONE
    plan_stories(MONDAY + dt.timedelta(days=3))
    assert weekly(owner).status == ActionStatus.DONE
    assert Action.objects.filter(kind="story").count() == 1


def test_a_story_dated_last_week_does_not_close_this_weeks_prompt(owner):
    plan_stories(MONDAY)
    story(owner, date=MONDAY - dt.timedelta(days=1))
    assert weekly(owner).status == ActionStatus.OPEN


def test_an_unanswered_prompt_is_missed_after_the_week(owner):
    plan_stories(MONDAY)
    plan_stories(MONDAY + dt.timedelta(days=7))
    assert weekly(owner).status == ActionStatus.MISSED
    assert weekly(owner, MONDAY + dt.timedelta(days=7)).status == ActionStatus.OPEN


def test_done_on_the_weeks_prompt_needs_a_story(owner):
    plan_stories(MONDAY)
    with pytest.raises(ValidationError, match="Write this week's story first"):
        agenda.complete(weekly(owner), NOW)
    assert weekly(owner).status == ActionStatus.OPEN


def test_the_prompt_shows_on_today_with_a_write_button(client, owner):
    plan_stories(MONDAY)
    assert client.login(username=owner.username, password=PASSWORD)
    page = client.get(reverse("today")).content.decode()
    assert "Write this week&#x27;s extra-mile story" in page
    assert reverse("story-new") in page


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_the_first_working_day_is_the_weeks_earliest_working_day(company, day):
    start = day - dt.timedelta(days=day.weekday())
    first = first_working_day(start)
    assert first is not None and start <= first <= start + dt.timedelta(days=6)
    assert first.weekday() < 5  # Monday to Friday company
    hours = business_hours.for_user(None, company)
    assert hours.is_working_day(first)
    assert not any(
        hours.is_working_day(start + dt.timedelta(days=i)) for i in range((first - start).days)
    )


def went_wrong(customer, owner) -> ServiceRequest:
    return service.open_request(
        customer=customer, subject="Wrong tyres fitted", opened_by=owner, now=NOW, went_wrong=True
    )


def test_resolving_a_went_wrong_request_leaves_a_private_draft_and_a_prompt(
    customer, owner, colleague
):
    request = went_wrong(customer, owner)
    service.resolve(request, owner, NOW, "Refitted", story="Came in at 7 am to refit them myself.")
    draft = Story.objects.get(service_request=request)
    assert (draft.author, draft.customer, draft.visibility) == (owner, customer, Visibility.PRIVATE)
    assert draft.what_done == "Came in at 7 am to refit them myself."
    assert "Wrong tyres fitted" in draft.situation
    ask = Action.objects.get(key=f"story:request:{request.pk}")
    assert (ask.kind, ask.owner, ask.status) == ("story", owner, ActionStatus.OPEN)
    assert ask.title == "Write the story of “Wrong tyres fitted”"
    # Finishing it: the author adds the reaction and shares it; the prompt closes.
    service_story = Story.objects.get(pk=draft.pk)
    save_story(
        owner,
        NOW,
        what_done=draft.what_done,
        reaction="They sent the team a cake.",
        visibility=Visibility.TEAM,
        customer=customer,
        story=service_story,
    )
    assert Action.objects.get(pk=ask.pk).status == ActionStatus.DONE


def test_finish_it_on_today_opens_the_drafts_edit_page(client, customer, owner, colleague):
    request = went_wrong(customer, owner)
    service.resolve(request, owner, NOW, "Refitted", story="Refitted them myself.")
    draft = Story.objects.get(service_request=request)
    assert client.login(username=owner.username, password=PASSWORD)
    page = client.get(reverse("today")).content.decode()
    link = reverse("story-from-request", args=[request.pk])
    assert link in page
    assert client.get(link).url == reverse("story-edit", args=[draft.pk])
    client.logout()
    assert client.login(username=colleague.username, password=PASSWORD)
    assert client.get(link).status_code == 404


def test_resolving_again_after_a_reopen_keeps_the_one_draft(customer, owner):
    request = went_wrong(customer, owner)
    service.resolve(request, owner, NOW, "Refitted", story="First words.")
    service.reopen(request, owner, NOW, "Still wrong")
    service.resolve(request, owner, NOW, "Refitted again", story="Second words.")
    assert Story.objects.filter(service_request=request).count() == 1
    assert Action.objects.filter(kind="story", key__startswith="story:request:").count() == 1


def test_an_ordinary_request_leaves_no_story(customer, owner):
    request = service.open_request(
        customer=customer, subject="Oil change", opened_by=owner, now=NOW
    )
    service.resolve(request, owner, NOW, "Done")
    assert not Story.objects.exists()


def test_the_data_migration_moves_old_request_stories_into_drafts(customer, owner, colleague):
    migration = importlib.import_module(
        "extramile.culture.migrations.0002_stories_from_service_requests"
    )
    request = went_wrong(customer, owner)
    service.resolve(request, colleague, NOW, "Refitted", story="Put it right on a Sunday.")
    # As it was before stories existed: the text only on the request.
    Story.objects.all().delete()
    untouched = service.open_request(customer=customer, subject="Fine", opened_by=owner, now=NOW)
    migration.forwards(apps, None)
    moved = Story.objects.get()
    assert moved.service_request_id == request.pk and moved.what_done == "Put it right on a Sunday."
    assert (moved.author, moved.customer, moved.visibility) == (
        colleague,
        customer,
        Visibility.PRIVATE,
    )
    assert moved.date == dt.date(2026, 11, 23)  # 09:30 in New York
    assert not Story.objects.filter(service_request=untouched).exists()
    migration.forwards(apps, None)  # running it twice moves nothing twice
    assert Story.objects.count() == 1
    assert ServiceRequest.objects.get(pk=request.pk).story == "Put it right on a Sunday."
