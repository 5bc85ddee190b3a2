"""The Lunches page and its buttons (also on Today), scoping, and the score on the customer pages."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from extramile.accounts.models import User
from extramile.agenda.models import Action
from extramile.value import lunches, scoring
from extramile.value.models import Invitation, InvitationStatus
from tests.conftest import NOW, login
from tests.value.conftest import TODAY, buyer, refer

HTMX = {"HTTP_HX_REQUEST": "true"}


def suggest_now(*owners):
    """Scores as of the fixtures' day; the suggestion on the real today (pages use the clock)."""
    scoring.recompute(TODAY, NOW)
    now = timezone.now()
    ids = [owner.pk for owner in owners]
    lunches.suggest(owners[0].local_date(now), now, User.objects.filter(pk__in=ids))
    invitation = Invitation.objects.get(owner=owners[0])
    lunches.sync_action(invitation, now)
    return invitation


def test_the_lunches_page_lists_the_suggestion_and_the_best_customers(client, owner):
    best = buyer(owner, "Anna Best", sales=[(10, 40_000), (300, 9_000)], since_years=9)
    buyer(owner, "Ben Second", sales=[(700, 900)])
    refer(best, buyer(owner, "Fri End"), bought=True)
    suggest_now(owner)
    page = login(client, owner).get(reverse("lunches")).content.decode()
    assert "Anna Best" in page and "Invited" in page
    assert "Bought 2 times in the last 3 years" in page and "1 referral (1 bought)" in page
    assert "customer for 9 years" in page


def test_invite_from_today_answers_with_the_row(client, owner):
    buyer(owner, "Anna Best", sales=[(10, 40_000)])
    invitation = suggest_now(owner)
    login(client, owner)
    today = client.get(reverse("today")).content.decode()
    assert "Invite Anna Best to breakfast or lunch" in today
    assert reverse("lunch-invited", args=[invitation.pk]) in today
    url = reverse("lunch-invited", args=[invitation.pk])
    refused = client.post(url, {"kind": "lunch", "value_answer": ""}, **HTMX).content.decode()
    assert "How will this create more value for this customer?" in refused
    row = client.post(
        url, {"kind": "lunch", "value_answer": "Ask about the new branch"}, **HTMX
    ).content.decode()
    assert "Waiting for Anna Best&#x27;s answer: lunch" in row
    assert reverse("lunch-accepted", args=[invitation.pk]) in row
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.INVITED


def test_plain_posts_come_back_to_the_page_with_the_error(client, owner):
    buyer(owner, "Anna Best", sales=[(10, 40_000)])
    invitation = suggest_now(owner)
    login(client, owner)
    response = client.post(reverse("lunch-held", args=[invitation.pk]), follow=True)
    assert "Invite Anna Best first" in response.content.decode()
    response = client.post(
        reverse("lunch-cancelled", args=[invitation.pk]), {"notes": "Not now"}, follow=True
    )
    assert "Cancelled." in response.content.decode()
    assert Action.objects.get(key=f"lunch:{invitation.pk}").status == "skipped"


def test_another_teams_invitation_is_not_found(client, owner, outsider, manager):
    buyer(owner, "Anna Best", sales=[(10, 40_000)])
    invitation = suggest_now(owner)
    url = reverse("lunch-cancelled", args=[invitation.pk])
    assert login(client, outsider).post(url).status_code == 404
    assert "Anna Best" not in client.get(reverse("lunches")).content.decode()
    assert "Anna Best" in login(client, manager).get(reverse("lunches")).content.decode()


def test_the_customer_list_and_page_show_the_score(client, owner):
    best = buyer(owner, "Zed Zulu", sales=[(10, 40_000), (40, 10_000)], since_years=3)
    buyer(owner, "Amy Able", sales=[(900, 100)])
    scoring.recompute(TODAY, NOW)
    login(client, owner)
    alphabetical = client.get(reverse("customers")).content.decode()
    assert alphabetical.index("Amy Able") < alphabetical.index("Zed Zulu")
    assert 'class="value-score"' in alphabetical
    best_first = client.get(reverse("customers"), {"sort": "value"}).content.decode()
    assert best_first.index("Zed Zulu") < best_first.index("Amy Able")
    page = client.get(reverse("customer", args=[best.pk])).content.decode()
    assert "Value score <strong>" in page and "#1 of 2 customers scored in the book" in page
    assert "Bought 2 times in the last 3 years" in page and "50,000 in all" in page
    assert "customer for 3 years" in page
