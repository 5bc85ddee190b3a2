"""One scoping rule: a rep sees their own book, a manager their team's, an admin everything."""

from __future__ import annotations

import pytest

from extramile.accounts.models import User
from extramile.accounts.scoping import can_see_customer
from extramile.agenda import engine
from extramile.agenda.models import Action
from extramile.book.models import Customer, Household, Promise
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(customer, colleague_customer, outsider_customer):
    return customer, colleague_customer, outsider_customer


def names(queryset):
    return sorted(str(x) for x in queryset)


def test_a_rep_sees_only_their_own_book(owner, book):
    assert names(Customer.objects.visible_to(owner)) == ["Anna Smith"]
    assert can_see_customer(owner, book[0].pk)
    assert not can_see_customer(owner, book[1].pk)
    assert not can_see_customer(owner, book[2].pk)
    assert names(User.objects.visible_to(owner).active()) == ["Olivia"]


def test_a_manager_sees_their_team(manager, book):
    assert names(Customer.objects.visible_to(manager)) == ["Anna Smith", "Carl Jones"]
    assert names(User.objects.visible_to(manager).active()) == ["Colin", "Maya", "Olivia"]


def test_a_manager_without_a_team_sees_only_their_own(manager, book):
    manager.team = None
    manager.save()
    assert names(Customer.objects.visible_to(manager)) == []


def test_an_admin_sees_everything(admin_user, book):
    assert len(Customer.objects.visible_to(admin_user)) == 3


def test_an_inactive_user_sees_nothing(owner, book):
    owner.is_active = False
    owner.save()
    assert not Customer.objects.visible_to(owner).exists()
    assert not User.objects.visible_to(owner).active().exists()


@pytest.mark.usefixtures("quiet_week")
def test_actions_follow_the_same_rule(owner, colleague, outsider, manager, admin_user, book):
    for customer in book:
        Promise.objects.create(customer=customer, description="Call back", due_on=NOW.date())
    engine.plan(NOW.date(), NOW)

    def promised(user):
        return [a.customer for a in Action.objects.visible_to(user).filter(kind="promise")]

    def owners(user):
        # Every action, card batches (which have no customer) included.
        return set(Action.objects.visible_to(user).values_list("owner__username", flat=True))

    assert promised(owner) == [book[0]]
    assert promised(outsider) == [book[2]]
    assert set(promised(manager)) == {book[0], book[1]}
    assert owners(owner) == {"olivia"}
    assert owners(outsider) == {"oscar"}
    assert owners(manager) == {"olivia", "colin"}
    assert owners(admin_user) == {"olivia", "colin", "oscar"}


def test_households_are_visible_through_their_members(owner, outsider, book):
    home = Household.objects.create(name="The Smiths")
    book[0].household = home
    book[0].save()
    assert list(Household.objects.visible_to(owner)) == [home]
    assert list(Household.objects.visible_to(outsider)) == []


def test_who_sees_a_book_is_visible_to_read_the_other_way_round(
    owner, colleague, outsider, manager, admin_user
):
    """``seeing_book_of(owner)`` (who may take a service request) lists exactly the users whose
    ``visible_to`` includes the owner, for every user and every owner."""
    lone_manager = User.objects.create(username="lone", role="manager")
    everyone = [owner, colleague, outsider, manager, admin_user, lone_manager]
    for someone in everyone:
        expected = {u.pk for u in everyone if User.objects.visible_to(u).filter(pk=someone.pk)}
        assert set(User.objects.seeing_book_of(someone).values_list("pk", flat=True)) == expected


def test_the_role_vocabulary(owner, manager, admin_user):
    assert (owner.sees_team, manager.sees_team, admin_user.sees_team) == (False, True, True)
    assert (owner.is_admin_role, manager.is_admin_role, admin_user.is_admin_role) == (
        False,
        False,
        True,
    )
    owner.is_superuser = True
    assert owner.sees_team and owner.is_admin_role
