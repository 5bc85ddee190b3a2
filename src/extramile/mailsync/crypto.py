"""Mailbox passwords encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256, from the
``cryptography`` package), keys from the settings.

``EXTRAMILE_MAILBOX_KEY`` holds one or more Fernet keys, comma-separated: the first encrypts, every
one decrypts (``MultiFernet``), so a key is rotated by putting a new key first, running
``extramile mailsync --rotate-key`` and then dropping the old one. Without it the key is derived
from the secret key (HKDF-SHA256; the keys in ``EXTRAMILE_SECRET_KEY_FALLBACKS`` still decrypt),
which is fine for development but ties the stored passwords to the secret key: set ``EXTRAMILE_MAILBOX_KEY`` in production. The password is never logged, printed
or shown back.
"""

from __future__ import annotations

import base64
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.checks import Error, register


class CannotDecrypt(Exception):
    """The stored password was encrypted with a key that is no longer configured."""


def configured_keys() -> list[str]:
    return list(getattr(settings, "EXTRAMILE_MAILBOX_KEYS", []) or [])


def derived_key(secret: str) -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"extramile mailbox passwords"
    )
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


def fernet() -> MultiFernet:
    return fernet_for(
        configured_keys(), [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    )


def fernet_for(mailbox_keys: list[str], secret_keys: list[str]) -> MultiFernet:
    """The mailbox keys, or without them keys derived from the secret keys (the first
    encrypts; a fallback secret key still decrypts what was encrypted under it)."""
    if not mailbox_keys:
        return MultiFernet([Fernet(derived_key(secret)) for secret in secret_keys])
    return MultiFernet([Fernet(key.encode()) for key in mailbox_keys])


def encrypt(password: str) -> str:
    return fernet().encrypt(password.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        raise CannotDecrypt(
            "The stored mailbox password cannot be decrypted with the configured key: "
            "enter the password again."
        ) from None


def rotate(token: str) -> str:
    """The token re-encrypted with the first key (it must decrypt with one of them)."""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError):
        raise CannotDecrypt("cannot be decrypted with any configured key") from None


@register()
def mailbox_keys(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    for number, key in enumerate(configured_keys(), start=1):
        try:
            Fernet(key.encode())
        except ValueError:
            errors.append(
                Error(
                    f"EXTRAMILE_MAILBOX_KEY: key {number} is not a Fernet key.",
                    hint=(
                        "A key is 32 random bytes in URL-safe base64 (44 characters); make one "
                        'with: python -c "from cryptography.fernet import Fernet; '
                        'print(Fernet.generate_key().decode())"'
                    ),
                    id="extramile.E101",
                )
            )
    return errors
