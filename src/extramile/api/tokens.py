"""API tokens: issued once, stored hashed, revoked for good.

A token is ``em_`` plus ``secrets.token_urlsafe(32)`` (256 random bits). The database keeps its
SHA-256 (a fast hash is right for a random secret of this length: there is nothing to guess) and
its first eight characters to tell tokens apart; the secret itself is shown once and never stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError

from extramile.accounts.models import ApiToken, User

PREFIX = "em_"
# last_used_at is written at most this often per token, so a busy webhook is not a write per call.
TOUCH_EVERY = dt.timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(
    name: str, now: dt.datetime, created_by: User | None = None, user: User | None = None
) -> tuple[ApiToken, str]:
    """A new token named ``name`` (for ``user``, or the company's when None) and its secret,
    which the caller shows once."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Name the token after what will use it, e.g. “Phone system”.")
    if len(name) > 100:
        raise ValidationError("Keep the token's name under 100 characters.")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name,
        prefix=secret[:8],
        key_hash=hash_secret(secret),
        user=user,
        created_at=now,
        created_by=created_by,
    )
    return token, secret


class TokenRefused(Exception):
    """Why a presented token is not accepted, in a sentence for the caller."""


def authenticate(secret: str, now: dt.datetime) -> ApiToken:
    """The live token whose secret this is; raises TokenRefused otherwise."""
    secret = secret.strip()
    if not secret:
        raise TokenRefused("Send your API token: Authorization: Bearer <token>.")
    digest = hash_secret(secret)
    token = ApiToken.objects.select_related("user").filter(key_hash=digest).first()
    # The lookup is by hash (an attacker cannot steer it); compare again in constant time anyway.
    if token is None or not hmac.compare_digest(token.key_hash, digest):
        raise TokenRefused("This API token is not valid.")
    if token.revoked_at is not None:
        raise TokenRefused("This API token was revoked.")
    if token.user is not None and not token.user.is_active:
        raise TokenRefused("This API token's user is no longer active.")
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def revoke(token: ApiToken, now: dt.datetime) -> bool:
    """Revoke ``token``; False when it was revoked already."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    token.refresh_from_db()
    return bool(updated)
