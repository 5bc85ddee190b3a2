"""Calendar links: issued once, stored hashed, revoked for good (the API tokens' pattern).

The secret is ``secrets.token_urlsafe(32)`` (256 random bits, URL-safe). The database keeps its
SHA-256 and first eight characters; the link itself is shown once, when it is made.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.db import transaction

from extramile.accounts.models import User
from extramile.api.tokens import TOUCH_EVERY, hash_secret
from extramile.feeds.models import CalendarFeed


def live(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def issue(user: User, now: dt.datetime) -> tuple[CalendarFeed, str]:
    """A new link for ``user`` (the old one, if any, stops working) and its secret."""
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        feed = CalendarFeed.objects.create(
            user=user, prefix=secret[:8], key_hash=hash_secret(secret), created_at=now
        )
    return feed, secret


def revoke(user: User, now: dt.datetime) -> bool:
    """Turn ``user``'s link off; False when there was none."""
    return bool(
        CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    )


def find(secret: str, now: dt.datetime) -> CalendarFeed | None:
    """The live feed whose secret this is, of an active user; None for anything else."""
    if not secret or len(secret) > 100:
        return None
    digest = hash_secret(secret)
    feed = CalendarFeed.objects.select_related("user").filter(key_hash=digest).first()
    if feed is None or not hmac.compare_digest(feed.key_hash, digest):
        return None
    if feed.revoked_at is not None or not feed.user.is_active:
        return None
    if feed.last_used_at is None or now - feed.last_used_at >= TOUCH_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
        feed.last_used_at = now
    return feed
