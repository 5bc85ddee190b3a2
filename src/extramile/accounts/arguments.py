"""Parsing shared by the CLI commands: dates and users, with one-line error messages."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError

from extramile.accounts.models import User


def parse_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).", returncode=2) from None


def find_user(username: str | None) -> User:
    if username is None:
        users = list(User.objects.filter(is_active=True)[:2])
        if len(users) == 1:
            return users[0]
        raise CommandError("Say whose agenda: --user USERNAME.", returncode=2)
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"There is no user {username!r}.", returncode=2) from None
