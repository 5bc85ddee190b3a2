"""Who a request acts for, and fetching what they may see (404, never 403, for the rest).

A **personal token** acts for its user and sees exactly what the user sees
(``extramile.accounts.scoping``). A **company token** belongs to no one: it may deliver the
webhooks (``POST /api/inbound``, ``POST /api/sales``) and nothing else, so a phone system's key
cannot read the whole book.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja.errors import HttpError

from extramile.accounts.models import User
from extramile.api.auth import token_of
from extramile.book.models import Customer

if TYPE_CHECKING:
    from extramile.book.models import Customer

WEBHOOKS_ONLY = (
    "A company token only delivers webhooks (POST /api/inbound, POST /api/sales); "
    "use a personal token to read or change the book."
)

M = TypeVar("M", bound=Model)


def personal_user(request: HttpRequest) -> User:
    """The token's user; a company token is refused with 403."""
    user = token_of(request).user
    if user is None:
        raise HttpError(403, WEBHOOKS_ONLY)
    return user


def get_visible(queryset: QuerySet[M], pk: Any, what: str) -> M:
    """The object ``pk`` among those visible, or a 404 that does not say whether it exists."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise HttpError(404, f"There is no {what} {pk} that you can see.")
    return found


def customer_or_404(user: User, pk: int) -> Customer:
    """A customer the user may see, named by id in a path or a body; 404 otherwise."""
    return get_visible(Customer.objects.visible_to(user), pk, "customer")


def user_by_name(viewer: User, text: str) -> User | None:
    """An active user ``viewer`` may see, by username or e-mail."""
    text = text.strip()
    users = User.objects.visible_to(viewer).active()
    return users.filter(username=text).first() or users.filter(email__iexact=text).first()
