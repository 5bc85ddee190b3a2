"""Stories and kudos: who sees what (a private story is invisible to everyone else, everywhere),
the form's errors, kudos rules, the feed's filters and the story of the week."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from extramile.culture import services
from extramile.culture.models import Kudos, Story, StoryOfTheWeek, Visibility
from tests.conftest import NOW, login
from tests.culture.conftest import MONDAY, story


def test_a_team_story_is_read_by_the_whole_company(client, owner, outsider):
    written = story(owner, "Stayed late to fit the roof rack before their holiday.")
    page = login(client, outsider).get(reverse("stories")).content.decode()
    assert "Stayed late to fit the roof rack" in page
    assert client.get(reverse("story", args=[written.pk])).status_code == 200


def test_a_private_story_is_invisible_to_everyone_but_its_author(
    client, owner, colleague, manager, admin_user, customer
):
    secret = story(
        owner, "A quiet one: paid for the taxi myself.", Visibility.PRIVATE, customer=customer
    )
    story(owner, "Shared one.")
    for other in (colleague, manager, admin_user):
        client.logout()
        login(client, other)
        assert "paid for the taxi" not in client.get(reverse("stories")).content.decode()
        assert client.get(reverse("story", args=[secret.pk])).status_code == 404
        assert client.get(reverse("story-edit", args=[secret.pk])).status_code == 404
        assert client.post(reverse("story-kudos", args=[secret.pk])).status_code == 404
    # The manager and the admin can open the customer's page, but not the private story on it.
    for other in (manager, admin_user):
        client.logout()
        login(client, other)
        page = client.get(reverse("customer", args=[customer.pk])).content.decode()
        assert "paid for the taxi" not in page and "No story about" in page
    assert not Story.objects.visible_to(colleague).filter(pk=secret.pk).exists()
    client.logout()
    login(client, owner)
    assert "paid for the taxi" in client.get(reverse("stories")).content.decode()
    assert (
        "paid for the taxi" in client.get(reverse("customer", args=[customer.pk])).content.decode()
    )


def test_a_private_story_cannot_be_the_story_of_the_week(owner, manager):
    secret = story(owner, "Mine only.", Visibility.PRIVATE)
    with pytest.raises(ValidationError, match="private"):
        services.choose_story_of_the_week(secret, manager, NOW)


def test_taking_a_featured_story_back_removes_it_from_everyones_today(
    client, owner, manager, colleague
):
    shared = story(owner, "Brought flowers to the widow of a loyal customer.")
    services.choose_story_of_the_week(shared, manager, NOW)
    assert services.story_of_the_week(MONDAY + dt.timedelta(days=3)) == shared
    page = login(client, colleague).get(reverse("today")).content.decode()
    assert "Story of the week" in page and "Brought flowers" in page
    services.save_story(
        owner, NOW, what_done=shared.what_done, visibility=Visibility.PRIVATE, story=shared
    )
    assert services.story_of_the_week(MONDAY) is None
    assert "Brought flowers" not in client.get(reverse("today")).content.decode()


def test_only_managers_and_admins_choose_the_story_of_the_week(client, owner, colleague, manager):
    shared = story(owner)
    with pytest.raises(ValidationError, match="manager"):
        services.choose_story_of_the_week(shared, colleague, NOW)
    services.choose_story_of_the_week(shared, manager, NOW)
    other = story(colleague, "Another one.")
    services.choose_story_of_the_week(other, manager, NOW)  # a second pick replaces the first
    assert StoryOfTheWeek.objects.get().story == other
    assert services.story_of_the_week(MONDAY - dt.timedelta(days=1)) is None  # last week: none


def test_the_feature_button_is_for_managers(client, owner, colleague, manager):
    shared = story(owner)
    login(client, colleague).post(reverse("story-feature", args=[shared.pk]))
    assert not StoryOfTheWeek.objects.exists()
    client.logout()
    login(client, manager).post(reverse("story-feature", args=[shared.pk]))
    assert StoryOfTheWeek.objects.get().chosen_by == manager


def test_kudos_once_per_giver_and_never_on_your_own_story(owner, colleague, manager):
    shared = story(owner)
    with pytest.raises(ValidationError, match="not your own"):
        services.give_kudos(shared, owner, NOW)
    services.give_kudos(shared, colleague, NOW, "Lovely.")
    with pytest.raises(ValidationError, match="already"):
        services.give_kudos(shared, colleague, NOW)
    services.give_kudos(shared, manager, NOW)
    assert Kudos.objects.filter(story=shared).count() == 2


def test_kudos_in_place_show_who_gave_them(client, owner, colleague):
    shared = story(owner)
    login(client, colleague)
    url = reverse("story-kudos", args=[shared.pk])
    fragment = client.post(
        url, {"message": "Brilliant save"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'id="kudos-' in fragment and "<strong>1</strong> kudos" in fragment
    assert "Colin" in fragment and "Brilliant save" in fragment and "You gave kudos" in fragment
    again = client.post(url, {}, HTTP_HX_REQUEST="true").content.decode()
    assert "already" in again and "<strong>1</strong> kudos" in again


def test_the_story_form_needs_what_was_done(client, owner):
    login(client, owner)
    response = client.post(
        reverse("story-new"),
        {"date": "2026-11-23", "visibility": "team", "situation": "A flat tyre"},
    )
    assert response.status_code == 422
    assert "Say what was done" in response.content.decode()
    assert not Story.objects.exists()


def test_a_story_cannot_be_dated_in_the_future(owner):
    with pytest.raises(ValidationError, match="has happened"):
        story(owner, date=MONDAY + dt.timedelta(days=2))


def test_a_customer_the_author_cannot_see_cannot_be_linked(
    client, owner, outsider_customer, colleague
):
    with pytest.raises(ValidationError, match="your own book"):
        story(owner, customer=outsider_customer)
    with pytest.raises(ValidationError, match="other than yourself"):
        story(owner, coworker=owner)
    login(client, owner)
    response = client.post(
        reverse("story-new"),
        {
            "date": "2026-11-23",
            "visibility": "team",
            "what_done": "x",
            "customer": outsider_customer.pk,
        },
    )
    assert response.status_code == 422 and "your own book" in response.content.decode()
    assert not Story.objects.exists()


def test_writing_a_story_through_the_form(client, owner, customer, colleague):
    login(client, owner)
    response = client.post(
        reverse("story-new") + f"?customer={customer.pk}",
        {
            "date": "2026-11-23",
            "visibility": "team",
            "customer": customer.pk,
            "coworker": colleague.pk,
            "situation": "Her car broke down before a wedding.",
            "what_done": "Lent her my own car for the day.",
            "reaction": "She cried.",
            "lesson": "Keep a courtesy car free on Saturdays.",
        },
    )
    written = Story.objects.get()
    assert response.status_code == 302 and response.url == reverse("story", args=[written.pk])
    assert (written.customer, written.coworker, written.author) == (customer, colleague, owner)
    page = client.get(response.url).content.decode()
    assert "Lent her my own car" in page and "Keep a courtesy car" in page


def test_only_the_author_edits(client, owner, colleague):
    shared = story(owner)
    login(client, colleague)
    assert client.get(reverse("story-edit", args=[shared.pk])).status_code == 404
    with pytest.raises(ValidationError, match="author"):
        services.save_story(colleague, NOW, what_done="mine now", story=shared)


def test_the_feed_filters(client, owner, colleague, customer):
    old = story(owner, "An old one from October.", date=dt.date(2026, 10, 5))
    about = story(owner, "About Anna this week.", customer=customer)
    theirs = story(colleague, "Colin's week.")
    services.give_kudos(old, colleague, NOW)
    login(client, owner)

    def shown(query: str) -> set[int]:
        page = client.get(reverse("stories") + query).content.decode()
        return {s.pk for s in (old, about, theirs) if f'id="story-{s.pk}"' in page}

    assert shown("") == {old.pk, about.pk, theirs.pk}
    assert shown("?mine=1") == {old.pk, about.pk}
    assert shown(f"?author={colleague.pk}") == {theirs.pk}
    assert shown(f"?customer={customer.pk}") == {about.pk}
    assert shown("?kudos=1") == {old.pk}
    assert shown("?period=week") == {about.pk, theirs.pk}
    assert shown("?period=month") == {about.pk, theirs.pk}


def test_a_customer_from_another_team_is_not_named_in_the_feed(client, owner, outsider, customer):
    story(owner, "Helped Anna move house.", customer=customer)
    page = login(client, outsider).get(reverse("stories")).content.decode()
    assert "Helped Anna move house" in page
    assert "Anna Smith" not in page and reverse("customer", args=[customer.pk]) not in page
