"""Brute-force protection: count wrong passwords and secrets, lock a client out for a while, unlock.

Three doors take a secret, and each counts its failures in the database, so every web process on
every machine shares the count (docs/operations.md, "Sign-in throttling"):

- **sign-in** (the login page and the Django admin's): django-axes counts wrong passwords per
  user name (known or not, lower-cased) and per client address; at ``LOCKOUT_FAILURES`` within
  ``LOCKOUT_MINUTES`` that user name, or that address, is refused until the period has passed
  since the failure that reached the limit. ``SignInGuard`` (backends.py) refuses before the
  password is checked, so a right password does not get through a lockout either;
- **API tokens** and **calendar links**: ``SecretFailures`` counts refused secrets per door and
  client address with the same two numbers; a locked client is answered 429 before its secret
  is looked at;
- **password-reset mails**: every request counts, per client address (the same two numbers) and
  per mailbox (``RESET_MAILS`` within the period, kept as a hash, not the address), so nobody can
  fill a colleague's inbox or probe addresses quickly; the answer is the same whether or not an
  account has that address.

An admin lifts a lockout in Settings → Sign-in lockouts or with ``extramile unlock``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from extramile.accounts.models import Door, SecretFailures

logger = logging.getLogger("extramile.security")


def failure_limit() -> int:
    return int(settings.LOCKOUT_FAILURES)


def lockout_period() -> dt.timedelta:
    return dt.timedelta(minutes=int(settings.LOCKOUT_MINUTES))


# --- who is asking ---------------------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The client's IP address: ``REMOTE_ADDR``, or behind ``EXTRAMILE_PROXIES=N`` reverse proxies
    the address the outermost proxy added to ``X-Forwarded-For`` (the N-th from the right; what
    the client wrote there itself stands further left and is not believed)."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = int(getattr(settings, "PROXIES", 0))
    if proxies:
        forwarded = [
            part.strip()
            for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
            if is_address(candidate):
                return candidate
    return remote if is_address(remote) else "unknown"


def axes_client_address(request: HttpRequest) -> str | None:
    """django-axes' AXES_CLIENT_IP_CALLABLE: the address, or None when there is none (a request
    made in a test or shell has no REMOTE_ADDR; its records keep an empty address)."""
    address = client_address(request)
    return None if address == "unknown" else address


def is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def normal_username(text: object) -> str:
    """How a typed user name is counted: trimmed and lower-cased, so “Olivia ” and “olivia” are one
    count (an attacker cannot vary the case to start afresh)."""
    return " ".join(str(text or "").split()).lower()[:255]


def axes_failure_limit(request: HttpRequest | None = None, credentials: object = None) -> int:
    """django-axes' AXES_FAILURE_LIMIT."""
    return failure_limit()


def axes_cool_off(request: HttpRequest | None = None) -> dt.timedelta:
    """django-axes' AXES_COOLOFF_TIME."""
    return lockout_period()


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """django-axes' AXES_USERNAME_CALLABLE: the typed user name, normalised."""
    if credentials and credentials.get("username") is not None:
        return normal_username(credentials["username"])
    return normal_username(request.POST.get("username", ""))


# --- how long ----------------------------------------------------------------------------------


def retry_after(until: dt.datetime, now: dt.datetime) -> int:
    """Whole seconds until ``until`` (at least 1): the Retry-After header's value."""
    return max(1, math.ceil((until - now).total_seconds()))


def minutes_left(until: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))


def _lock_end(
    rows: Iterable[tuple[dt.datetime, int]], limit: int, period: dt.timedelta
) -> dt.datetime | None:
    """When a lockout over ``rows`` (last failure time, failures; newest first) ends, or None when
    they do not reach ``limit``. A row counts while its last failure is within ``period`` (as in
    django-axes), so the lockout lasts until the row that brings the newest failures to the limit
    drops out."""
    total = 0
    for at, failures in rows:
        total += failures
        if total >= limit:
            return at + period
    return None


# --- sign-in (django-axes) ----------------------------------------------------------------------


def sign_in_locked_until(
    username: str | None, address: str | None, now: dt.datetime
) -> dt.datetime | None:
    """Until when sign-in as ``username`` or from ``address`` is refused; None when it is not."""
    from axes.models import AccessAttempt

    period, limit = lockout_period(), failure_limit()
    ends = []
    for field, value in (("username", username), ("ip_address", address)):
        if value is None:
            continue
        rows = (
            AccessAttempt.objects.filter(**{field: value}, attempt_time__gte=now - period)
            .order_by("-attempt_time")
            .values_list("attempt_time", "failures_since_start")
        )
        end = _lock_end(rows, limit, period)
        if end is not None and end > now:
            ends.append(end)
    return max(ends, default=None)


@dataclass(frozen=True)
class Lockout:
    door: str  # "sign-in", "api", "calendar", "reset"
    kind: str  # "user name" or "address"
    who: str
    failures: int
    until: dt.datetime

    @property
    def label(self) -> str:
        return {
            "sign-in": "Sign-in",
            Door.API: Door.API.label,
            Door.CALENDAR: Door.CALENDAR.label,
            Door.RESET: Door.RESET.label,
        }.get(self.door, self.door)


def lockouts(now: dt.datetime) -> list[Lockout]:
    """Every lockout in force: user names and addresses refused at sign-in, and addresses refused
    at the API and the calendar links; the longest first."""
    from axes.models import AccessAttempt

    period, limit = lockout_period(), failure_limit()
    recent = list(
        AccessAttempt.objects.filter(attempt_time__gte=now - period)
        .order_by("-attempt_time")
        .values_list("username", "ip_address", "attempt_time", "failures_since_start")
    )
    found: list[Lockout] = []
    for kind, position in (("user name", 0), ("address", 1)):
        groups: dict[str, list[tuple[dt.datetime, int]]] = {}
        for row in recent:
            if row[position] is not None:
                groups.setdefault(str(row[position]), []).append((row[2], row[3]))
        for who, rows in groups.items():
            end = _lock_end(rows, limit, period)
            if end is not None and end > now:
                found.append(Lockout("sign-in", kind, who, sum(n for _, n in rows), end))
    for row in SecretFailures.objects.filter(locked_until__gt=now):
        assert row.locked_until is not None
        found.append(Lockout(row.door, "address", row.client, row.failures, row.locked_until))
    return sorted(found, key=lambda lockout: (-lockout.until.timestamp(), lockout.who))


def unlock_username(username: str) -> int:
    """Forget the wrong passwords typed for ``username``; how many records went."""
    from axes.handlers.proxy import AxesProxyHandler

    name = normal_username(username)
    count = int(AxesProxyHandler.reset_attempts(username=name) or 0)
    logger.info("Sign-in unlocked for user name %r (%d records)", name, count)
    return count


def unlock_address(address: str) -> int:
    """Forget every failure from ``address``: sign-in, API tokens and calendar links."""
    from axes.handlers.proxy import AxesProxyHandler

    address = address.strip()
    count = 0
    if is_ip_address(address):  # a mailbox's count (password-reset mails) is not one for axes
        count += int(AxesProxyHandler.reset_attempts(ip_address=address) or 0)
    count += SecretFailures.objects.filter(client=address).delete()[0]
    logger.info("Unlocked address %s (%d records)", address, count)
    return count


# --- API tokens and calendar links ------------------------------------------------------------


class Throttled(Exception):
    """This client is locked out of a door until ``until``."""

    def __init__(self, door: str, until: dt.datetime, now: dt.datetime) -> None:
        self.door = door
        self.until = until
        self.retry_after = retry_after(until, now)
        self.minutes = minutes_left(until, now)
        what = {
            "api": "refused API tokens from your address",
            "calendar": "refused calendar links from your address",
            "reset": "password-reset requests from your address or for this e-mail address",
        }.get(str(door), "refused secrets from your address")
        super().__init__(
            f"Too many {what}: try again in "
            f"{self.minutes} minute{'s' if self.minutes != 1 else ''} "
            f"(after {until.astimezone(dt.UTC):%H:%M} UTC)."
        )


def check_door(door: str, client: str, now: dt.datetime) -> None:
    """Raise ``Throttled`` when ``client`` is locked out of ``door``."""
    until = (
        SecretFailures.objects.filter(door=door, client=client, locked_until__gt=now)
        .values_list("locked_until", flat=True)
        .first()
    )
    if until is not None:
        raise Throttled(door, until, now)


def refused(
    door: str, client: str, now: dt.datetime, limit: int | None = None
) -> dt.datetime | None:
    """Count a refused secret (or a reset request) from ``client`` at ``door``; the end of the
    lockout it starts (at ``limit``, by default ``LOCKOUT_FAILURES``)."""
    period, limit = lockout_period(), limit or failure_limit()
    with transaction.atomic():
        # Rows whose failures no longer count go first (this one too, so it starts afresh).
        SecretFailures.objects.filter(last_failure_at__lte=now - period).exclude(
            locked_until__gt=now
        ).delete()
        row, created = SecretFailures.objects.select_for_update().get_or_create(
            door=door,
            client=client,
            defaults={"failures": 1, "first_failure_at": now, "last_failure_at": now},
        )
        if not created:
            row.failures += 1
            row.last_failure_at = now
        started = None
        if row.failures >= limit and (row.locked_until is None or row.locked_until <= now):
            row.locked_until = started = now + period
            logger.warning("%s locked for %s after %d refused secrets", door, client, row.failures)
        row.save()
    return started


def is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


# --- password-reset mails ----------------------------------------------------------------------

RESET_MAILS = 3  # per mailbox within the lockout period


def mailbox_key(email: str) -> str:
    """How a mailbox is counted: a hash of the lower-cased address (fits ``client``; no address kept)."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"mailbox {digest}"


def reset_requested(client: str, email: str, now: dt.datetime) -> None:
    """Count a password-reset request from ``client`` for ``email``; ``Throttled`` when either has
    asked too often lately (then nothing is counted and no mail goes)."""
    mailbox = mailbox_key(email)
    check_door(Door.RESET, client, now)
    check_door(Door.RESET, mailbox, now)
    refused(Door.RESET, client, now)
    refused(Door.RESET, mailbox, now, limit=RESET_MAILS)
