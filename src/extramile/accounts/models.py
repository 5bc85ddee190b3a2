"""Users, teams and the company's settings."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import zoneinfo
from collections.abc import Iterator
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as AuthUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from extramile.accounts.scoping import UserQuerySet


def validate_time_zone(value: str) -> None:
    if not value:
        return
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"“{value}” is not a time zone. Use a name such as Europe/London or America/Chicago."
        ) from None


def validate_country(value: str) -> None:
    import phonenumbers

    if value and value.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(f"“{value}” is not a two-letter country code such as US, GB or DE.")


class Role(models.TextChoices):
    REP = "rep", "Sales rep"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"


WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def validate_working_days(value: str) -> None:
    try:
        days = parse_working_days(value)
    except ValueError:
        raise ValidationError(
            "Working days are weekday numbers separated by commas, 0 = Monday … 6 = Sunday."
        ) from None
    if not days:
        raise ValidationError("At least one working day is needed.")


def parse_working_days(value: str) -> frozenset[int]:
    days = frozenset(int(part) for part in value.split(",") if part.strip())
    if any(day < 0 or day > 6 for day in days):
        raise ValueError(value)
    return days


# The company row held for one request (``Company.read_once``); None outside one.
_HELD: contextvars.ContextVar[list[Company] | None] = contextvars.ContextVar(
    "extramile_company_held", default=None
)


class Company(models.Model):
    """The one company that runs this installation (a singleton: always primary key 1)."""

    name = models.CharField(max_length=200, default="My company")
    street = models.CharField("street address", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state / region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(
        max_length=2,
        default="US",
        validators=[validate_country],
        help_text="Two-letter country code; also the default region for phone numbers.",
    )
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    business_day_starts = models.TimeField(default=dt.time(9, 0))
    business_day_ends = models.TimeField(default=dt.time(18, 0))
    working_days = models.CharField(
        max_length=20,
        default="0,1,2,3,4",
        validators=[validate_working_days],
        help_text="Weekday numbers, 0 = Monday … 6 = Sunday.",
    )
    card_lead_days = models.PositiveSmallIntegerField(
        "card lead time (days)",
        default=7,
        validators=[MaxValueValidator(60)],
        help_text="Cards are mailed this many days before the occasion (moved back to a working day).",
    )
    observe_public_holidays = models.BooleanField(
        default=True,
        help_text="The country's public holidays are not working days for reply and service clocks.",
    )
    reply_within_minutes = models.PositiveSmallIntegerField(
        "reply within (business minutes)",
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
        help_text="An inbound message answered later than this is a breach.",
    )
    calls_per_day = models.PositiveSmallIntegerField(
        "proactive calls a day",
        default=5,
        validators=[MaxValueValidator(50)],
        help_text="How many customers the rotation puts on each rep's Today every working day.",
    )
    cadence_a_days = models.PositiveSmallIntegerField(
        "tier A: call every (days)", default=30, validators=[MinValueValidator(7)]
    )
    cadence_b_days = models.PositiveSmallIntegerField(
        "tier B: call every (days)", default=90, validators=[MinValueValidator(7)]
    )
    cadence_c_days = models.PositiveSmallIntegerField(
        "tier C: call every (days)", default=180, validators=[MinValueValidator(7)]
    )
    article_every_months = models.PositiveSmallIntegerField(
        "an article every (months)",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="Each customer gets an article when their last one is this old.",
    )
    emails_per_minute = models.PositiveIntegerField(
        "e-mails sent per minute",
        default=600,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
        help_text="The outbox never sends faster than this (your mail server's limit).",
    )
    tier_a_percent = models.PositiveSmallIntegerField(
        "tier A: top % by value score",
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    tier_b_percent = models.PositiveSmallIntegerField(
        "tier B: next % by value score",
        default=30,
        validators=[MaxValueValidator(100)],
    )
    leaderboard = models.BooleanField(
        "show the leaderboard",
        default=True,
        help_text="Rank reps by extra-mile actions done on the Team page.",
    )
    lunch_every_days = models.PositiveSmallIntegerField(
        "suggest a breakfast or lunch every (days)",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )

    class Meta:
        verbose_name_plural = "company"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        held = _HELD.get()
        if held:  # forget the row held for this request: the next read is fresh
            held.clear()

    def clean(self) -> None:
        if self.business_day_starts >= self.business_day_ends:
            raise ValidationError(
                {"business_day_ends": "The business day must end after it starts."}
            )
        if self.tier_a_percent + self.tier_b_percent > 100:
            raise ValidationError(
                {"tier_b_percent": "Tiers A and B together cannot be more than 100% of customers."}
            )
        if not self.cadence_a_days <= self.cadence_b_days <= self.cadence_c_days:
            raise ValidationError(
                "Best customers are called most often: tier A’s cadence must be no longer than "
                "tier B’s, and B’s no longer than C’s."
            )
        self.country = (self.country or "").upper()

    @classmethod
    def get(cls) -> Company:
        """The company's one row; within ``Company.read_once()`` (each web request) read once."""
        held = _HELD.get()
        if held:
            return held[0]
        company, _ = cls.objects.get_or_create(pk=1)
        if held is not None:
            held.append(company)
        return company

    @staticmethod
    @contextlib.contextmanager
    def read_once() -> Iterator[None]:
        """Within the block, ``Company.get()`` reads the row once and hands out that object (a
        page asked for it a dozen times); saving a company forgets it, so the next read is fresh."""
        token = _HELD.set([])
        try:
            yield
        finally:
            _HELD.reset(token)

    def cadence_days(self, tier: str) -> int:
        """How often a customer of ``tier`` (A, B or C) should hear from their rep."""
        return {"A": self.cadence_a_days, "B": self.cadence_b_days}.get(tier, self.cadence_c_days)

    @property
    def working_weekdays(self) -> frozenset[int]:
        return parse_working_days(self.working_days)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(AuthUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    """Django's user manager plus ``visible_to(user)`` and ``active()`` (accounts.scoping)."""


class User(AbstractUser):
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.REP)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="Blank: the company's time zone.",
    )
    digest_enabled = models.BooleanField(
        "daily digest by e-mail",
        default=True,
        help_text="Today's agenda, yesterday's wins and the team's story, each morning.",
    )
    digest_at = models.TimeField(
        "send the digest at", default=dt.time(7, 0), help_text="Your local time."
    )

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    # The role vocabulary: every "who may" check reads one of these three (accounts.scoping).
    @property
    def is_manager(self) -> bool:
        """Exactly a manager (sees their team's books)."""
        return self.role == Role.MANAGER

    @property
    def is_admin_role(self) -> bool:
        """An admin or a superuser: sees everything, runs the company's settings."""
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def sees_team(self) -> bool:
        """A manager or an admin: sees more than their own book, picks owners, leads the team."""
        return self.is_manager or self.is_admin_role

    def zone(self, company: Company | None = None) -> zoneinfo.ZoneInfo:
        if self.time_zone:
            return zoneinfo.ZoneInfo(self.time_zone)
        if company is None:
            # Read once per user object (a request's user lives for one request), not per call.
            if not hasattr(self, "_company_zone"):
                self._company_zone = Company.get().zone
            return self._company_zone
        return company.zone

    def local_date(self, now: dt.datetime, company: Company | None = None) -> dt.date:
        """The user's calendar date at the instant ``now``."""
        return now.astimezone(self.zone(company)).date()


class ApiToken(models.Model):
    """A key for the JSON API. Only its SHA-256 is stored: the secret is shown once, at creation.

    A company token (no user) acts for the whole company; a user's token sees what the user sees.
    """

    name = models.CharField(max_length=100, help_text="What uses it: “Phone system webhook”.")
    prefix = models.CharField(max_length=8, help_text="The token's first characters, to tell it.")
    key_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="Empty: a company token.",
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Door(models.TextChoices):
    """Where a secret is presented without a password: each has its own count per client."""

    API = "api", "API tokens"
    CALENDAR = "calendar", "Calendar links"
    RESET = "reset", "Password-reset mails"


class SecretFailures(models.Model):
    """Wrong secrets (API tokens, calendar links) one client presented at one door lately.

    ``extramile.accounts.throttle`` counts them; at the limit the client is locked out of that
    door until ``locked_until``. A row whose last failure is older than the lockout period no longer
    counts. Sign-in with a password is counted by django-axes (its ``AccessAttempt``) instead.
    """

    door = models.CharField(max_length=16, choices=Door.choices)
    client = models.CharField(max_length=64, help_text="The client's IP address.")
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField()
    last_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["door", "client"], name="secret_failures_door_client")
        ]
        ordering = ["-last_failure_at"]
        verbose_name_plural = "secret failures"

    def __str__(self) -> str:
        return f"{self.get_door_display()} from {self.client}: {self.failures}"
