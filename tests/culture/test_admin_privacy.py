"""The Django admin keeps the product's promises: a private story is its author's only, and a
check-in's score and note are the user's own — no admin page, list, filter or search shows them."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from extramile.culture import checkins
from extramile.culture.models import CheckIn, Kudos, Story, Visibility
from extramile.culture.services import give_kudos
from tests.conftest import NOW
from tests.culture.conftest import story

pytestmark = pytest.mark.django_db

PRIVATE = "PRIVATE-WORDS-of-olivia"
NOTE = "CHECK-IN-NOTE-of-olivia"


@pytest.fixture
def staff(client, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    return client


@pytest.fixture
def private(owner, colleague, customer):
    shared = story(owner, "Team words", customer=customer)
    give_kudos(shared, colleague, NOW, "Well done")
    secret = story(owner, PRIVATE, visibility=Visibility.PRIVATE, customer=customer)
    # Kudos given while it was a team story stay on it when it is made private.
    told = story(owner, f"{PRIVATE} once told", customer=customer)
    give_kudos(told, colleague, NOW, "Nice")
    Story.objects.filter(pk=told.pk).update(visibility=Visibility.PRIVATE)
    checkins.check_in(owner, NOW, 2, NOTE)
    return secret


def page(client, url: str) -> str:
    response = client.get(url, follow=True)
    assert response.status_code in (200, 400, 403, 404), (url, response.status_code)
    return response.content.decode()


def test_a_private_story_has_no_admin_page(staff, private):
    change = page(staff, reverse("admin:culture_story_change", args=[private.pk]))
    assert PRIVATE not in change and "doesn’t exist" in change
    for query in ("", "?visibility=private", f"?what_done__startswith={PRIVATE[:8]}", "?q=PRIV"):
        listing = page(staff, reverse("admin:culture_story_changelist") + query)
        assert PRIVATE not in listing, query
    assert "Team words" in page(staff, reverse("admin:culture_story_changelist"))
    assert PRIVATE not in page(staff, reverse("admin:culture_story_history", args=[private.pk]))
    assert PRIVATE not in page(staff, reverse("admin:culture_kudos_changelist"))
    assert Kudos.objects.count() == 2


def test_check_ins_have_no_admin_page(staff, private):
    with pytest.raises(NoReverseMatch):
        reverse("admin:culture_checkin_changelist")
    day = CheckIn.objects.get().day.isoformat()
    for url in (
        "/admin/culture/checkin/",
        f"/admin/culture/checkin/?day={day}&score=2",
        f"/admin/culture/checkin/?note__startswith={NOTE[:5]}",
        f"/admin/culture/checkin/{CheckIn.objects.get().pk}/change/",
    ):
        response = staff.get(url, follow=True)
        assert NOTE not in response.content.decode() and "olivia" not in response.content.decode()


def test_no_admin_page_shows_private_words(staff, private):
    """Every registered model: its list, and each row's change, history and delete pages — the
    last lists what would go with it (deleting a user lists their stories and check-ins)."""
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        name = f"admin:{meta.app_label}_{meta.model_name}"
        assert PRIVATE not in page(staff, reverse(f"{name}_changelist")), name
        rows = model_admin.get_queryset(staff_request()).values_list("pk", flat=True)[:20]
        for pk in rows:
            for view in ("change", "history", "delete"):
                html = page(staff, reverse(f"{name}_{view}", args=[pk]))
                assert PRIVATE not in html and NOTE not in html, (name, view, pk)


def test_deleting_a_user_lists_their_stories_and_check_ins_without_their_words(staff, colleague):
    story(colleague, PRIVATE, visibility=Visibility.PRIVATE)
    mine = checkins.check_in(colleague, NOW, 2, NOTE)
    deleting = page(staff, reverse("admin:accounts_user_delete", args=[colleague.pk]))
    assert "Are you sure" in deleting
    assert "Colin: a private story" in deleting and PRIVATE not in deleting
    assert f"check-in {mine.pk}" in deleting and NOTE not in deleting
    assert mine.day.isoformat() not in deleting


def staff_request():
    from django.test import RequestFactory

    from extramile.accounts.models import User

    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(is_superuser=True)
    return request
