"""The idea bank page, the week page and the Today rows for the intention and the surprise."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from extramile.agenda.models import ActionStatus
from extramile.book.models import Fact, FactCategory
from extramile.ideas import services, week
from extramile.ideas.models import Idea, IdeaUse, IdeaVote, WeeklyIntention
from tests.conftest import NOW, login, make_customer
from tests.ideas.conftest import action, idea, plan_week

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def open_every_day(company):
    """Pages use the real clock: a company open every day makes the real today a working day,
    the first of its week being Monday."""
    company.working_days = "0,1,2,3,4,5,6"
    company.observe_public_holidays = False
    company.save()


@pytest.fixture
def today(owner):
    """The real local today (pages use the real clock) with the week planned."""
    day = owner.local_date(timezone.now())
    plan_week(day, timezone.now())
    return day


def test_everyone_in_the_company_sees_every_idea(client, owner, outsider):
    idea(owner, "Remember their coffee order", "small things")
    page = login(client, outsider).get(reverse("ideas"))
    assert page.status_code == 200
    assert "Remember their coffee order" in page.content.decode()
    assert "small things" in page.content.decode()


def test_the_page_needs_a_login(client):
    assert client.get(reverse("ideas")).status_code == 302


def test_adding_an_idea_and_the_errors(client, owner):
    login(client, owner)
    page = client.post(reverse("ideas"), {"text": "Fix their wiper blades", "tags": "car"})
    assert page.status_code == 302
    assert Idea.objects.get().author == owner
    again = client.post(reverse("ideas"), {"text": "fix their  wiper blades", "tags": ""})
    assert again.status_code == 400
    assert "in the bank already" in again.content.decode()
    empty = client.post(reverse("ideas"), {"text": "", "tags": ""})
    assert "Write the idea first" in empty.content.decode()
    assert Idea.objects.count() == 1


def test_upvote_and_used_in_place(client, owner, colleague):
    new = idea(owner, "Leave a thank-you voicemail")
    login(client, colleague)
    row = client.post(reverse("idea-vote", args=[new.pk]), **HTMX)
    assert row.status_code == 200
    html = row.content.decode()
    assert html.startswith(f'<li class="idea" id="idea-{new.pk}">')
    assert "▲ 1" in html and 'aria-pressed="true"' in html
    html = client.post(reverse("idea-vote", args=[new.pk]), **HTMX).content.decode()
    assert "▲ 0" in html and not IdeaVote.objects.exists()
    html = client.post(reverse("idea-used", args=[new.pk]), **HTMX).content.decode()
    assert "used 1 time (1 by you)" in html
    plain = client.post(reverse("idea-used", args=[new.pk]))
    assert plain.status_code == 302
    assert IdeaUse.objects.filter(user=colleague).count() == 2


def test_voting_for_your_own_idea_says_why_not(client, owner):
    new = idea(owner, "Leave a thank-you voicemail")
    html = login(client, owner).post(reverse("idea-vote", args=[new.pk]), **HTMX).content.decode()
    assert "other people" in html


def test_filter_by_tag_and_sort(client, owner):
    idea(owner, "Birthday song", "birthday")
    idea(owner, "Lend a trailer", "moving")
    page = login(client, owner).get(reverse("ideas"), {"tag": "moving", "sort": "newest"})
    listed = page.content.decode().split('<ol class="ideas">')[1]
    assert "Lend a trailer" in listed
    assert "Birthday song" not in listed
    assert login(client, owner).get(reverse("ideas"), {"sort": "nonsense"}).status_code == 200


def test_only_the_author_or_a_manager_edits(client, owner, colleague, manager):
    new = idea(owner, "Carry an umbrella for customers")
    assert login(client, colleague).get(reverse("idea-edit", args=[new.pk])).status_code == 403
    login(client, manager)
    page = client.post(
        reverse("idea-edit", args=[new.pk]), {"text": "Carry two umbrellas", "tags": ""}
    )
    assert page.status_code == 302
    client.post(reverse("idea-edit", args=[new.pk]), {"retire": "1", "text": "", "tags": ""})
    new.refresh_from_db()
    assert (new.text, new.active) == ("Carry two umbrellas", False)
    assert "Carry two umbrellas" not in login(client, owner).get(reverse("ideas")).content.decode()


def test_today_asks_for_the_intention_and_saves_it_in_place(client, owner, today):
    start = week.week_start(today)
    ask = week.intention_key(owner.pk, start)
    from extramile.agenda.models import Action

    assert Action.objects.filter(key=ask).exists()
    login(client, owner)
    page = client.get(reverse("today")).content.decode()
    assert "Your intention for this week" in page and 'name="text"' in page
    row = action(ask)
    empty = client.post(reverse("intention-save", args=[row.pk]), {"text": " "}, **HTMX)
    assert "Write your intention" in empty.content.decode()
    done = client.post(reverse("intention-save", args=[row.pk]), {"text": "Call Anna"}, **HTMX)
    assert "Your intention is set" in done.content.decode()
    assert WeeklyIntention.objects.get(user=owner).text == "Call Anna"
    assert action(ask).status == ActionStatus.DONE


def test_someone_elses_intention_is_not_found(client, owner, colleague, today):
    from extramile.agenda.models import Action

    row = Action.objects.filter(key=week.intention_key(owner.pk, week.week_start(today))).first()
    assert row is not None
    response = login(client, colleague).post(
        reverse("intention-save", args=[row.pk]), {"text": "x"}
    )
    assert response.status_code == 404


def test_the_review_row_records_kept(client, owner):
    start = week.week_start(owner.local_date(timezone.now())) - dt.timedelta(days=7)
    week.save_intention(owner, "Write three notes", timezone.now() - dt.timedelta(days=7), start)
    last_day = start + dt.timedelta(days=6)  # the company is open every day (see above)
    plan_week(last_day, timezone.now() - dt.timedelta(days=1))
    row = action(week.review_key(owner.pk, start))
    response = login(client, owner).post(reverse("intention-review", args=[row.pk, "kept"]), **HTMX)
    assert "Kept it. Well done." in response.content.decode()
    assert WeeklyIntention.objects.get(user=owner).kept is True
    assert client.post(reverse("intention-review", args=[row.pk, "maybe"])).status_code == 404


def test_the_surprise_row_needs_the_value_answer(client, owner, colleague):
    today = owner.local_date(timezone.now())
    anna = make_customer(owner, "Anna", "Smith")
    Fact.objects.create(
        customer=anna, text="New job", category=FactCategory.LIFE_EVENT, learned_on=today
    )
    idea(colleague, "Send a plant for the new desk")
    plan_week(today, timezone.now())
    from extramile.ideas.models import Surprise

    record = Surprise.objects.filter(user=owner).first()
    assert record is not None
    row = action(record.action_key)
    login(client, owner)
    page = client.get(reverse("today")).content.decode()
    assert "This week&#x27;s surprise: Anna Smith" in page and "I used the idea" in page
    url = reverse("surprise-done", args=[row.pk])
    missing = client.post(url, {"what": "Sent a plant"}, **HTMX).content.decode()
    assert "more value for this customer" in missing
    done = client.post(
        url, {"what": "Sent a plant", "value_answer": "Welcomes her", "used_idea": "1"}, **HTMX
    )
    assert "Somebody&#x27;s week just got better" in done.content.decode()
    assert IdeaUse.objects.get().customer == anna
    assert login(client, colleague).post(url, {"what": "x"}).status_code == 404


def test_the_week_page_sets_the_intention_and_shows_the_history(client, owner):
    login(client, owner)
    response = client.post(reverse("week"), {"do": "save", "text": "Smile on every call"})
    assert response.status_code == 302
    assert WeeklyIntention.objects.get(user=owner).text == "Smile on every call"
    page = client.get(reverse("week")).content.decode()
    assert "Smile on every call" in page
    bad = client.post(reverse("week"), {"do": "save", "text": ""})
    assert bad.status_code == 400 and "Write your intention" in bad.content.decode()
    wrong = client.post(reverse("week"), {"do": "kept", "week": "soon"})
    assert "Pick a week" in wrong.content.decode()


def test_suggestions_show_on_the_page(client, owner, colleague):
    new = idea(colleague, "Text a photo of their old car on its birthday")
    services.toggle_vote(new, owner, NOW)
    page = login(client, owner).get(reverse("ideas")).content.decode()
    assert "For you" in page
