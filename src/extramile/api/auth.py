"""``Authorization: Bearer <token>`` for every API route; a refusal is a 401 with a sentence.

A client whose tokens were refused too often lately is answered 429 with Retry-After before its
token is looked at (``extramile.accounts.throttle``, door "api").
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from extramile import clock
from extramile.accounts import throttle
from extramile.accounts.models import ApiToken, Door, User
from extramile.api import tokens


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> ApiToken:
        value = request.headers.get(self.header, "").strip()
        if not value:
            raise AuthenticationError(401, "Send your API token: Authorization: Bearer <token>.")
        scheme, _, secret = value.partition(" ")
        if scheme.lower() != "bearer":
            raise AuthenticationError(401, "Send the token as Authorization: Bearer <token>.")
        return self.authenticate(request, secret)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        now = clock.now()
        client = throttle.client_address(request)
        throttle.check_door(Door.API, client, now)  # raises Throttled: a 429 (errors.py)
        try:
            return tokens.authenticate(token, now)
        except tokens.TokenRefused as refused:
            throttle.refused(Door.API, client, now)
            raise AuthenticationError(401, str(refused)) from None


def token_of(request: HttpRequest) -> ApiToken:
    token = getattr(request, "auth", None)
    assert isinstance(token, ApiToken)
    return token


def acting_user(request: HttpRequest) -> User | None:
    """The user a token acts for; None for a company token (which may deliver the webhooks for
    any customer and rep, and do nothing else: see ``access.personal_user``)."""
    return token_of(request).user


def user_named(request: HttpRequest, text: str, field: str) -> User:
    """An active user by username or e-mail, among those the token may see; 404 otherwise."""
    from django.db.models import Q
    from ninja.errors import HttpError

    acting = acting_user(request)
    users = (
        User.objects.visible_to(acting).active()
        if acting is not None
        else User.objects.filter(is_active=True)
    )
    found = users.filter(Q(username=text.strip()) | Q(email__iexact=text.strip())).first()
    if found is None:
        raise HttpError(404, f"There is no user “{text}” that you can see ({field}).")
    return found
