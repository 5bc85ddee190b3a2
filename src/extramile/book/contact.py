"""Normalising phone numbers and e-mail addresses with well-kept libraries.

Phones go to E.164 with ``phonenumbers`` (the company country is the default region for numbers
written without a country code); e-mails are checked with ``email-validator`` (syntax only, no DNS).
"""

from __future__ import annotations

import functools

import phonenumbers
from django.core.exceptions import ValidationError
from email_validator import EmailNotValidError, validate_email


def normalise_phone(raw: str, region: str) -> str:
    text = (raw or "").strip()
    if not text:
        raise ValidationError("Enter a phone number.")
    try:
        number = phonenumbers.parse(text, region.upper() or None)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            f"“{text}” is not a phone number. Write it as you would dial it, "
            "or with a country code such as +44 20 7946 0958."
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            f"“{text}” is not a valid phone number for {region or 'its country'}."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalise_phone(raw: str, region: str) -> str | None:
    """E.164 for searching: None when ``raw`` is no phone number."""
    try:
        return normalise_phone(raw, region)
    except ValidationError:
        return None


@functools.lru_cache(maxsize=4096)  # a list page shows the same numbers again and again
def display_phone(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalise_email(raw: str) -> str:
    text = (raw or "").strip()
    if not text:
        raise ValidationError("Enter an e-mail address.")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(f"“{text}” is not a valid e-mail address: {exc}") from None
    # Domain part lower-cased by the library; the local part is kept as written.
    return result.normalized
