"""The idea bank: adding (and its errors), one upvote per user, "I used it", suggestions, and who
may edit or retire an idea."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from extramile.ideas import services
from extramile.ideas.models import Idea, IdeaUse
from tests.conftest import NOW
from tests.ideas.conftest import idea


def counts(pk: int, user) -> Idea:
    return services.with_counts(Idea.objects.filter(pk=pk), user).get()


def test_an_idea_is_added_with_tidy_tags(owner):
    new = idea(owner, "  Send a postcard   from your holiday ", "Travel; postcard, travel")
    assert (new.text, new.tags, new.author, new.active) == (
        "Send a postcard from your holiday",
        "travel, postcard",
        owner,
        True,
    )
    assert new.tag_list == ["travel", "postcard"]


@pytest.mark.parametrize(
    ("text", "tags", "message"),
    [
        ("   ", "", "Write the idea first"),
        ("x" * 501, "", r"500 characters at most \(this one has 501\)"),
        ("Fine idea", "a" * 40, "is too long"),
    ],
)
def test_bad_ideas_are_refused_with_a_reason(owner, text, tags, message):
    with pytest.raises(ValidationError, match=message):
        services.add_idea(owner, text, tags, NOW)
    assert not Idea.objects.exists()


def test_the_same_idea_twice_is_refused_whatever_the_case_and_spacing(owner, colleague):
    idea(owner, "Bring coffee to the service desk")
    with pytest.raises(ValidationError, match="in the bank already: “Bring coffee"):
        services.add_idea(colleague, "bring  COFFEE to the service desk", "", NOW)
    assert Idea.objects.count() == 1


def test_editing_into_a_duplicate_is_refused(owner):
    idea(owner, "Remember the dog's name")
    other = idea(owner, "Remember the cat's name")
    with pytest.raises(ValidationError, match="in the bank already"):
        services.edit_idea(owner, other, "remember the dog's name", "")
    other.refresh_from_db()
    assert other.text == "Remember the cat's name"


def test_one_upvote_per_user_and_voting_again_takes_it_back(owner, colleague, manager):
    new = idea(owner, "A handwritten note after a test drive")
    assert services.toggle_vote(new, colleague, NOW) is True
    assert services.toggle_vote(new, manager, NOW) is True
    assert counts(new.pk, colleague).vote_count == 2
    assert counts(new.pk, colleague).i_voted == 1
    assert services.toggle_vote(new, colleague, NOW) is False
    assert counts(new.pk, colleague).vote_count == 1
    assert counts(new.pk, colleague).i_voted == 0


def test_nobody_upvotes_their_own_idea_nor_a_retired_one(owner, colleague):
    new = idea(owner, "Wash their car before handing it back")
    with pytest.raises(ValidationError, match="own idea"):
        services.toggle_vote(new, owner, NOW)
    services.set_active(owner, new, False)
    with pytest.raises(ValidationError, match="retired"):
        services.toggle_vote(new, colleague, NOW)


def test_used_it_counts_every_use_and_mine(owner, colleague, customer):
    new = idea(owner, "Bring a plant for their new office")
    services.record_use(new, owner, NOW, customer=customer, note="Fern for Anna")
    services.record_use(new, owner, NOW)
    services.record_use(new, colleague, NOW)
    row = counts(new.pk, owner)
    assert (row.use_count, row.my_uses) == (3, 2)
    assert IdeaUse.objects.filter(customer=customer).count() == 1


def test_a_use_for_someone_elses_customer_is_refused(owner, outsider_customer):
    new = idea(owner, "Send the match tickets you cannot use")
    with pytest.raises(ValidationError, match="not in your book"):
        services.record_use(new, owner, NOW, customer=outsider_customer)


def test_suggestions_prefer_well_rated_ideas_i_have_not_used(owner, colleague, manager, admin_user):
    voters = [colleague, manager, admin_user]
    popular = idea(owner, "Popular, but I used it", now=NOW - dt.timedelta(days=3))
    fresh = idea(owner, "Good and new to me", now=NOW - dt.timedelta(days=2))
    plain = idea(owner, "Nobody voted", now=NOW - dt.timedelta(days=1))
    for voter in voters:
        services.toggle_vote(popular, voter, NOW)
    for voter in voters[:2]:
        services.toggle_vote(fresh, voter, NOW)
    services.record_use(popular, owner, NOW)  # 3 votes − 2 = 1 < 2
    assert services.suggest(owner, NOW) == [fresh, popular, plain]
    # For someone who has not used it, the popular one leads.
    assert services.suggest(colleague, NOW, limit=1) == [popular]


def test_suggestion_ties_go_to_the_least_used_then_the_newest(owner, colleague, manager):
    older = idea(owner, "Older", now=NOW - dt.timedelta(days=2))
    newer = idea(owner, "Newer", now=NOW - dt.timedelta(days=1))
    worn = idea(owner, "Worn by others", now=NOW)
    services.record_use(worn, colleague, NOW)
    assert services.suggest(manager, NOW) == [newer, older, worn]


def test_suggestions_by_tag_and_never_retired(owner):
    birthday = idea(owner, "Sing on the phone", "birthday, fun")
    idea(owner, "Lend them a trailer", "moving")
    retired = idea(owner, "An old birthday idea", "birthday")
    services.set_active(owner, retired, False)
    assert services.suggest(owner, NOW, tags=["birthday"]) == [birthday]
    assert services.suggest(owner, NOW, tags=["birth"]) == []


def test_the_author_or_a_manager_edits_or_retires_an_idea(owner, colleague, manager, admin_user):
    new = idea(owner, "Keep a spare umbrella for customers")
    with pytest.raises(PermissionDenied):
        services.edit_idea(colleague, new, "Mine now", "")
    with pytest.raises(PermissionDenied):
        services.set_active(colleague, new, False)
    services.edit_idea(owner, new, "Keep two spare umbrellas for customers", "rain")
    services.edit_idea(manager, new, "Keep spare umbrellas for customers", "rain")
    services.set_active(admin_user, new, False)
    new.refresh_from_db()
    assert (new.text, new.tags, new.active) == ("Keep spare umbrellas for customers", "rain", False)


def test_the_page_sorts_by_votes_newest_or_least_used_by_me(owner, colleague):
    first = idea(owner, "First", now=NOW - dt.timedelta(days=2))
    second = idea(owner, "Second", "family", now=NOW - dt.timedelta(days=1))
    services.toggle_vote(first, colleague, NOW)
    services.record_use(first, colleague, NOW)
    assert list(services.bank(colleague)) == [first, second]
    assert list(services.bank(colleague, sort=services.Sort.NEWEST)) == [second, first]
    assert list(services.bank(colleague, sort=services.Sort.LEAST_USED)) == [second, first]
    assert list(services.bank(colleague, tag="family")) == [second]
    assert services.all_tags() == ["family"]


def test_the_demo_fills_the_bank_once(owner, colleague, manager):
    import random

    from django.db.models import F

    from extramile.ideas import demo
    from extramile.ideas.models import IdeaVote

    assert demo.populate(NOW, random.Random(5)) == len(demo.IDEAS) >= 20
    assert demo.populate(NOW, random.Random(5)) == len(demo.IDEAS)
    assert Idea.objects.count() == len(demo.IDEAS)
    assert not IdeaVote.objects.filter(user=F("idea__author")).exists()
    assert services.suggest(owner, NOW)
