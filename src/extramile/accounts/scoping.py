"""Who may see what: the one place that decides it.

A rep sees their own book, a manager their team's, an admin (or superuser) everything; an inactive
user sees nothing. Every scoped model's manager is built from a queryset class here and answers
``Model.objects.visible_to(user)``; pages, the API, exports, feeds and commands ask it and nothing
else. The role vocabulary is on ``User``: ``is_admin_role`` (admin or superuser), ``sees_team``
(manager or admin) and ``is_manager`` (exactly a manager).

Three ways a row belongs to someone:

- ``OwnedQuerySet``: the row has its own owner (``scope_owner``, a path to a user: ``"owner"``,
  ``"action__owner"``);
- ``CustomerScopedQuerySet``: the row belongs to a customer (``scope_customer``), so it is seen
  with its customer (``customer IN (the visible book)``);
- a queryset that overrides ``visible_to`` with its own rule (households through their members,
  referrals from either side, stories by visibility, unassigned messages for managers, users).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from django.db import models
from django.db.models import Q
from django.shortcuts import get_object_or_404

if TYPE_CHECKING:
    from extramile.accounts.models import User

_M = TypeVar("_M", bound=models.Model)


def owner_filter(user: User, field: str = "owner") -> Q | None:
    """A Q restricting ``field`` (a FK to User) to what ``user`` may see; None means everything."""
    if not user.is_active:
        return Q(pk__in=[])
    if user.is_admin_role:
        return None
    if user.is_manager and user.team_id is not None:
        return Q(**{f"{field}__team_id": user.team_id}) | Q(**{f"{field}_id": user.pk})
    return Q(**{f"{field}_id": user.pk})


def sees_everything(user: User) -> bool:
    """True when no row is hidden from ``user`` (an active admin or superuser)."""
    return owner_filter(user) is None


class OwnedQuerySet(models.QuerySet[_M]):
    """Rows with an owner of their own; ``scope_owner`` is the path to that user."""

    scope_owner: ClassVar[str] = "owner"

    def visible_to(self, user: User) -> Self:
        rule = owner_filter(user, self.scope_owner)
        return self if rule is None else self.filter(rule)


class CustomerScopedQuerySet(models.QuerySet[_M]):
    """Rows that belong to a customer: seen exactly when the customer is."""

    scope_customer: ClassVar[str] = "customer"

    def visible_to(self, user: User) -> Self:
        from extramile.book.models import Customer

        if sees_everything(user):
            return self
        book = Customer.objects.visible_to(user)
        return self.filter(**{f"{self.scope_customer}__in": book})


def get_visible_or_404(queryset: Any, user: User, **lookup: Any) -> Any:
    """One row of ``queryset`` that ``user`` may see, else 404 (another team's row is "not
    found", not "forbidden", so its existence is not revealed)."""
    return get_object_or_404(queryset.visible_to(user), **lookup)


def can_see_customer(user: User, customer_id: int) -> bool:
    from extramile.book.models import Customer

    return Customer.objects.visible_to(user).filter(pk=customer_id).exists()


class UserQuerySet(models.QuerySet["User"]):
    """Users: ``visible_to`` gives the users whose books one sees (inactive owners included, as
    their customers still count in the figures); ``.active()`` narrows to those who can sign in
    (team pages, pickers)."""

    def visible_to(self, user: User) -> Self:
        if not user.is_active:
            return self.none()
        if user.is_admin_role:
            return self
        if user.is_manager and user.team_id is not None:
            return self.filter(Q(team_id=user.team_id) | Q(pk=user.pk))
        return self.filter(pk=user.pk)

    def active(self) -> Self:
        return self.filter(is_active=True)

    def seeing_book_of(self, owner: User) -> Self:
        """The users who see ``owner``'s book: the owner, the managers of the owner's team, the
        admins (``visible_to`` read the other way round)."""
        from extramile.accounts.models import Role

        rule = Q(pk=owner.pk) | Q(role=Role.ADMIN) | Q(is_superuser=True)
        if owner.team_id is not None:
            rule |= Q(role=Role.MANAGER, team_id=owner.team_id)
        return self.filter(rule)
