"""Unsubscribe tokens: one per customer, signed (HMAC with the secret key and a salt), not stored.

A token cannot be guessed or forged without the secret key, needs no login and never expires
(an old e-mail's link must keep working). Rotating ``EXTRAMILE_SECRET_KEY`` invalidates old links
unless the old key is kept in Django's ``SECRET_KEY_FALLBACKS``.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "extramile.outbox.unsubscribe"


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, algorithm="sha256")


def make_token(customer_id: int) -> str:
    return _signer().sign(signing.b62_encode(customer_id))


def customer_id(token: str) -> int | None:
    """The customer a token was made for, or None when it is forged, altered or garbled."""
    try:
        value = _signer().unsign(token or "")
        return signing.b62_decode(value)
    except (signing.BadSignature, ValueError):
        return None


def unsubscribe_url(customer_id: int) -> str:
    """The absolute link for e-mails (``EXTRAMILE_SITE_URL`` + ``/u/<token>/``)."""
    return settings.SITE_URL + reverse("unsubscribe", args=[make_token(customer_id)])
