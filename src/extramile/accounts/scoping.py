"""Who may see what: the one place that decides it.

Every page, API route, CLI command, export and feed asks these functions. A rep sees their own
book, a manager their team's, an admin (or superuser) everything; an inactive user sees nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from extramile.accounts.models import Role, User

if TYPE_CHECKING:
    from extramile.agenda.models import Action
    from extramile.book.models import Customer, Household


def owner_filter(user: User, field: str = "owner") -> Q | None:
    """A Q restricting ``field`` (a FK to User) to what ``user`` may see; None means everything."""
    if not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser or user.role == Role.ADMIN:
        return None
    if user.role == Role.MANAGER and user.team_id is not None:
        return Q(**{f"{field}__team_id": user.team_id}) | Q(**{f"{field}_id": user.pk})
    return Q(**{f"{field}_id": user.pk})


def scoped(queryset: QuerySet[Any], user: User, field: str = "owner") -> QuerySet[Any]:
    rule = owner_filter(user, field)
    return queryset if rule is None else queryset.filter(rule)


def visible_owners(user: User) -> QuerySet[User]:
    """The users whose books ``user`` sees (``owner_filter`` read on the users themselves; inactive
    owners included, as their customers still count in the figures)."""
    if not user.is_active:
        return User.objects.none()
    if user.is_superuser or user.role == Role.ADMIN:
        return User.objects.all()
    if user.role == Role.MANAGER and user.team_id is not None:
        return User.objects.filter(Q(team_id=user.team_id) | Q(pk=user.pk))
    return User.objects.filter(pk=user.pk)


def visible_users(user: User) -> QuerySet[User]:
    """The active users ``user`` sees (team pages, pickers)."""
    return visible_owners(user).filter(is_active=True)


def visible_customers(user: User) -> QuerySet[Customer]:
    from extramile.book.models import Customer

    return scoped(Customer.objects.all(), user)


def visible_households(user: User) -> QuerySet[Household]:
    from extramile.book.models import Household

    if owner_filter(user) is None:
        return Household.objects.all()
    return Household.objects.filter(members__in=visible_customers(user)).distinct()


def visible_actions(user: User) -> QuerySet[Action]:
    from extramile.agenda.models import Action

    return scoped(Action.objects.all(), user)


def can_see_customer(user: User, customer_id: int) -> bool:
    return visible_customers(user).filter(pk=customer_id).exists()
