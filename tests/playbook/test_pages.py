"""The playbook pages: rendering, scoping (404), forms and errors, the checklist in place,
closing and reopening, competitor notes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from extramile.playbook.models import Competitor, Move, MoveCheck, MoveUse, Opportunity, Stage
from tests.conftest import NOW, login
from tests.playbook.conftest import make_opportunity

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def rival(owner):
    return Competitor.objects.create(
        name="QuickLot Autos",
        what_they_do="Sell fast at thin margins.",
        what_they_wont="Service what they sell.",
        our_difference="We look after the car for its whole life.",
        created_by=owner,
        updated_by=owner,
        updated_at=NOW,
    )


def test_the_pages_need_a_login(client):
    assert client.get(reverse("playbook")).status_code == 302
    assert client.get(reverse("opportunities")).status_code == 302


def test_the_playbook_page_shows_moves_rates_and_competitors(client, owner, customer, rival):
    recent = timezone.now().date() - dt.timedelta(days=3)
    for n in range(6):
        make_opportunity(
            customer,
            Stage.WON if n < 3 else Stage.LOST,
            closed_on=recent,
            moves={Move.TAKEAWAY: MoveUse.YES} if n < 5 else {},
        )
    html = login(client, owner).get(reverse("playbook")).content.decode()
    assert "The takeaway" in html and "Going over someone&#x27;s head" in html
    assert "60 %" in html and "of 5 (3 won)" in html  # the takeaway, with
    assert "not enough data (1)" in html  # the takeaway, without
    assert "Over 6 closed opportunities (3 won, 50 %)" in html
    assert "QuickLot Autos" in html


def test_the_rates_on_the_page_are_scoped_and_filtered(client, owner, outsider_customer, customer):
    long_ago = timezone.now().date() - dt.timedelta(days=200)
    for _ in range(5):
        make_opportunity(outsider_customer, Stage.WON, closed_on=long_ago)
        make_opportunity(customer, Stage.LOST, closed_on=long_ago)
    login(client, owner)
    assert (
        "Over 5 closed opportunities (0 won, 0 %)"
        in client.get(reverse("playbook")).content.decode()
    )
    recent = client.get(reverse("playbook"), {"period": "90"}).content.decode()
    assert "Over 0 closed opportunities (0 won)" in recent


def test_adding_a_competitor_and_its_errors(client, colleague, rival):
    login(client, colleague)
    bad = client.post(reverse("playbook"), {"name": "quicklot autos"})
    assert bad.status_code == 400 and "There are notes on" in bad.content.decode()
    made = client.post(reverse("playbook"), {"name": "Megadeal Cars", "our_difference": "Care"})
    new = Competitor.objects.get(name="Megadeal Cars")
    assert made.url == reverse("playbook-competitor", args=[new.pk])
    assert new.created_by == colleague


def test_only_the_author_or_a_manager_edits_competitor_notes(client, colleague, manager, rival):
    page = login(client, colleague).get(reverse("playbook-competitor", args=[rival.pk]))
    assert page.status_code == 200 and "Service what they sell." in page.content.decode()
    assert "Edit the notes" not in page.content.decode()
    url = reverse("playbook-competitor", args=[rival.pk])
    assert client.post(url, {"name": "Renamed"}).status_code == 403
    login(client, manager)
    assert client.post(url, {"name": "QuickLot", "notes": "Opened a second lot"}).status_code == 302
    rival.refresh_from_db()
    assert (rival.name, rival.updated_by) == ("QuickLot", manager)


def test_another_teams_opportunity_is_a_404(client, owner, outsider_customer):
    far = make_opportunity(outsider_customer)
    login(client, owner)
    for name in ("opportunity", "opportunity-edit"):
        assert client.get(reverse(name, args=[far.pk])).status_code == 404
    assert (
        client.post(reverse("opportunity-close", args=[far.pk]), {"outcome": "won"}).status_code
        == 404
    )
    url = reverse("opportunity-move", args=[far.pk, Move.TAKEAWAY])
    assert client.post(url, {"used": "yes"}).status_code == 404
    new = reverse("opportunity-new") + f"?customer={outsider_customer.pk}"
    assert client.get(new).status_code == 404
    assert not MoveCheck.objects.exists()


def test_the_list_filters(
    client, manager, customer, colleague_customer, colleague, outsider_customer
):
    make_opportunity(customer, title="Open for Anna")
    make_opportunity(customer, Stage.WON, title="Won with Anna")
    make_opportunity(colleague_customer, Stage.PROPOSAL, title="Carl's proposal")
    make_opportunity(outsider_customer, title="Far away")
    login(client, manager)
    html = client.get(reverse("opportunities")).content.decode()
    assert "Open for Anna" in html and "Carl&#x27;s proposal" in html
    assert "Won with Anna" not in html and "Far away" not in html
    closed = client.get(reverse("opportunities"), {"state": "closed"}).content.decode()
    assert "Won with Anna" in closed and "Open for Anna" not in closed
    theirs = client.get(reverse("opportunities"), {"owner": colleague.pk}).content.decode()
    assert "Carl&#x27;s proposal" in theirs and "Open for Anna" not in theirs
    staged = client.get(reverse("opportunities"), {"state": "all", "stage": "proposal"})
    assert "Open for Anna" not in staged.content.decode()


def test_new_opportunity_from_a_search_and_the_form_errors(client, owner, customer, rival):
    login(client, owner)
    found = client.get(reverse("opportunity-new"), {"q": "smi"}).content.decode()
    assert f"?customer={customer.pk}" in found
    url = reverse("opportunity-new") + f"?customer={customer.pk}"
    bad = client.post(url, {"title": "", "value": "-1", "stage": "lead"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "The value cannot be negative." in html and "Give the opportunity a title" in html
    good = client.post(
        url,
        {
            "title": "Estate car",
            "value": "28000",
            "stage": "lead",
            "competitor": rival.pk,
            "expected_close": "2027-01-15",
        },
    )
    made = Opportunity.objects.get()
    assert good.url == reverse("opportunity", args=[made.pk])
    assert (made.owner, made.competitor, made.expected_close) == (
        owner,
        rival,
        dt.date(2027, 1, 15),
    )


def test_editing(client, owner, customer):
    deal = make_opportunity(customer)
    login(client, owner)
    url = reverse("opportunity-edit", args=[deal.pk])
    assert "New car" in client.get(url).content.decode()
    assert client.post(url, {"title": "New car", "stage": "won", "value": "5"}).status_code == 400
    assert (
        client.post(url, {"title": "New van", "stage": "proposal", "value": "5"}).status_code == 302
    )
    deal.refresh_from_db()
    assert (deal.title, deal.stage) == ("New van", Stage.PROPOSAL)


def test_the_checklist_toggles_in_place(client, owner, customer):
    deal = make_opportunity(customer)
    login(client, owner)
    page = client.get(reverse("opportunity", args=[deal.pk])).content.decode()
    assert page.count('class="move move-not_yet"') == len(Move.values)
    url = reverse("opportunity-move", args=[deal.pk, Move.TAKEAWAY])
    row = client.post(url, {"used": "yes", "note": "Said we might not have one"}, **HTMX)
    html = row.content.decode()
    assert html.startswith(f'<li class="move move-yes" id="move-{Move.TAKEAWAY}">')
    assert "Said we might not have one" in html
    assert 'class="use-yes chosen" aria-pressed="true"' in html
    again = client.post(url, {"used": "no", "note": "Said we might not have one"}, **HTMX)
    assert 'class="use-no chosen"' in again.content.decode()
    bad = client.post(url, {"used": "perhaps"}, **HTMX).content.decode()
    assert "yes, no or not yet" in bad and 'class="use-no chosen"' in bad
    plain = client.post(url, {"used": "yes"})
    assert plain.url == reverse("opportunity", args=[deal.pk])
    check = MoveCheck.objects.get()
    assert (check.used, check.note) == (MoveUse.YES, "Said we might not have one")


def test_close_and_reopen_from_the_page(client, owner, customer):
    deal = make_opportunity(customer, Stage.NEGOTIATION)
    login(client, owner)
    close = reverse("opportunity-close", args=[deal.pk])
    tomorrow = (timezone.now().date() + dt.timedelta(days=3)).isoformat()
    client.post(close, {"outcome": "won", "closed_on": tomorrow})
    deal.refresh_from_db()
    assert deal.stage == Stage.NEGOTIATION
    page = client.get(reverse("opportunity", args=[deal.pk])).content.decode()
    assert "cannot be in the future" in page
    client.post(close, {"outcome": "won"})
    deal.refresh_from_db()
    assert deal.stage == Stage.WON and deal.closed_on is not None
    assert "Reopen" in client.get(reverse("opportunity", args=[deal.pk])).content.decode()
    client.post(reverse("opportunity-reopen", args=[deal.pk]), {"stage": "proposal"})
    deal.refresh_from_db()
    assert (deal.stage, deal.closed_on) == (Stage.PROPOSAL, None)


def test_the_customer_page_lists_its_opportunities(client, owner, customer):
    make_opportunity(customer, title="Winter tyres deal")
    html = login(client, owner).get(reverse("customer", args=[customer.pk])).content.decode()
    assert "Winter tyres deal" in html
    assert reverse("opportunity-new") + f"?customer={customer.pk}" in html
