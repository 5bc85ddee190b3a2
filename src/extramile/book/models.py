"""The customer book: people, households, relationships, key dates, facts, sales, referrals, promises."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from extramile.accounts.models import User, validate_country, validate_time_zone
from extramile.accounts.scoping import CustomerScopedQuerySet, OwnedQuerySet, sees_everything
from extramile.addresses import format_address
from extramile.book import dates


class PostalAddress(models.Model):
    street = models.CharField("street address", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state / region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(
        max_length=2, blank=True, validators=[validate_country], help_text="Two-letter code."
    )

    class Meta:
        abstract = True

    @property
    def has_postal_address(self) -> bool:
        return bool(self.street and self.city and (self.postal_code or self.country))

    def address_lines(self, home_country: str | None = None) -> list[str]:
        """The address as on an envelope, per the destination country's postal rules (the one
        place for them is ``extramile.addresses``)."""
        from extramile.accounts.models import Company

        home = home_country or Company.get().country
        return format_address(
            "",
            self.street,
            self.city,
            self.region,
            self.postal_code,
            self.country,
            home_country=home,
        )


def display_name(first: str, last: str, company: str) -> str:
    """How a customer is named everywhere: “First Last”, else the company's name."""
    return " ".join(part for part in (first, last) if part) or company


class Status(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    CUSTOMER = "customer", "Customer"
    FORMER = "former", "Former customer"


class Tier(models.TextChoices):
    """How often a customer should hear from their rep (cadences in the company's settings)."""

    A = "A", "A: best customers"
    B = "B", "B"
    C = "C", "C"


class HouseholdQuerySet(models.QuerySet["Household"]):
    def visible_to(self, user: User) -> HouseholdQuerySet:
        """Households with a member ``user`` sees."""
        if sees_everything(user):
            return self
        return self.filter(members__in=Customer.objects.visible_to(user)).distinct()


class Household(PostalAddress):
    """One postal unit: several people who get one card at one address."""

    name = models.CharField(max_length=200, help_text="As on an envelope: “The Smith Family”.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(PostalAddress):
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    preferred_name = models.CharField(
        "preferred form of address",
        max_length=100,
        blank=True,
        help_text="How they like to be addressed: “Bob”, “Mrs Okafor”, “Dr Lee”.",
    )
    company_name = models.CharField("company", max_length=200, blank=True)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    # No index of its own: the owner_* indexes below all start with it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="customers",
        db_index=False,
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CUSTOMER)
    birth_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_day = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    language = models.CharField(max_length=10, blank=True, help_text="For example en, de, fr-CA.")
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    customer_since = models.DateField(null=True, blank=True)
    do_not_call = models.BooleanField(default=False)
    do_not_email = models.BooleanField(default=False)
    do_not_mail = models.BooleanField(default=False)
    do_not_text = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    tier = models.CharField(
        max_length=1,
        choices=Tier.choices,
        default=Tier.C,
        help_text="A is called most often; see the cadences in Settings.",
    )
    tier_by_hand = models.BooleanField(
        default=False, help_text="Set by hand: the value score leaves this tier alone."
    )
    last_contact_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The last real contact (a call, a meeting, a reply); cards do not count.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["owner", "last_name", "first_name"], name="customer_owner_name"),
            models.Index(fields=["birth_month", "birth_day"], name="customer_birthday"),
            models.Index(fields=["last_name", "first_name"], name="customer_name"),
            models.Index(fields=["customer_since"], name="customer_since"),
            models.Index(fields=["owner", "last_contact_at"], name="customer_owner_contact"),
            # Covers the calls rotation's per-tier counts (the capacity line on Today) and the
            # coverage within cadence (outreach/coverage.py).
            models.Index(
                fields=["owner", "status", "do_not_call", "tier", "last_contact_at"],
                name="customer_owner_cadence",
            ),
            # The few who asked for no post (the nightly withdrawal of their planned cards):
            # partial, so it holds only them and costs the rest of the book nothing.
            models.Index(fields=["owner"], condition=Q(do_not_mail=True), name="customer_no_post"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_month__isnull=True) | Q(birth_month__gte=1, birth_month__lte=12),
                name="customer_birth_month_range",
            ),
            models.CheckConstraint(
                condition=Q(birth_day__isnull=True) | Q(birth_day__gte=1, birth_day__lte=31),
                name="customer_birth_day_range",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        name = display_name(self.first_name, self.last_name, self.company_name)
        return name or f"Customer #{self.pk}"

    @property
    def greeting_name(self) -> str:
        return self.preferred_name or self.first_name or self.full_name

    def clean(self) -> None:
        if not (self.first_name or self.last_name or self.company_name):
            raise ValidationError("Give a first name, a last name or a company name.")
        error = dates.check_month_day(self.birth_month, self.birth_day, self.birth_year)
        if error:
            raise ValidationError({"birth_day": error})
        if self.birth_year and self.birth_month is None:
            raise ValidationError({"birth_month": "A birth year needs a month and a day."})
        self.country = (self.country or "").upper()

    @property
    def birthday_display(self) -> str:
        if self.birth_month is None or self.birth_day is None:
            return ""
        return dates.format_month_day(self.birth_month, self.birth_day, self.birth_year)

    def mailing_address(self) -> PostalAddress | None:
        """Where post goes: the household's address when it has one, else the customer's."""
        if self.household is not None and self.household.has_postal_address:
            return self.household
        return self if self.has_postal_address else None


class EmailAddress(models.Model):
    # No index of its own: email_once_per_customer (customer, address) starts with it.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="emails", db_index=False
    )
    address = models.CharField(max_length=254)
    label = models.CharField(max_length=30, blank=True, help_text="home, work, …")
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        indexes = [
            models.Index(fields=["address"], name="email_address"),
            # Inbound e-mail is matched case-insensitively (inbox/matching.py).
            models.Index(Lower("address"), name="email_address_lower"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["customer", "address"], name="email_once_per_customer")
        ]

    def __str__(self) -> str:
        return self.address

    def clean(self) -> None:
        from extramile.book.contact import normalise_email

        self.address = normalise_email(self.address)


class PhoneNumber(models.Model):
    # No index of its own: phone_once_per_customer (customer, number) starts with it.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="phones", db_index=False
    )
    number = models.CharField(max_length=20, help_text="E.164, for example +14155550123.")
    label = models.CharField(max_length=30, blank=True, help_text="mobile, home, work, …")
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        indexes = [models.Index(fields=["number"], name="phone_number")]
        constraints = [
            models.UniqueConstraint(fields=["customer", "number"], name="phone_once_per_customer")
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        from extramile.accounts.models import Company
        from extramile.book.contact import normalise_phone

        self.number = normalise_phone(self.number, Company.get().country)

    @property
    def display(self) -> str:
        from extramile.book.contact import display_phone

        return display_phone(self.number)


class RelationshipKind(models.TextChoices):
    PARENT = "parent", "parent"
    CHILD = "child", "child"
    SPOUSE = "spouse", "spouse / partner"
    SIBLING = "sibling", "sibling"
    COLLEAGUE = "colleague", "colleague"
    OTHER = "other", "other"


INVERSE_KIND = {
    RelationshipKind.PARENT: RelationshipKind.CHILD,
    RelationshipKind.CHILD: RelationshipKind.PARENT,
}


class Relationship(models.Model):
    """“from_customer is the <kind> of to_customer”; read from the other side with ``inverse``.

    Stored once per pair: a “child” link is saved as the “parent” link the other way round.
    """

    from_customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="relationships_out"
    )
    to_customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="relationships_in"
    )
    kind = models.CharField(max_length=10, choices=RelationshipKind.choices)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_customer", "to_customer"], name="relationship_once"
            ),
            models.CheckConstraint(
                condition=~Q(from_customer=models.F("to_customer")), name="relationship_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_customer} is the {self.get_kind_display()} of {self.to_customer}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.kind == RelationshipKind.CHILD:
            self.from_customer, self.to_customer = self.to_customer, self.from_customer
            self.kind = RelationshipKind.PARENT
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @staticmethod
    def inverse(kind: str) -> str:
        return str(INVERSE_KIND.get(RelationshipKind(kind), kind))

    def clean(self) -> None:
        if self.from_customer_id and self.from_customer_id == self.to_customer_id:
            raise ValidationError("A customer cannot be related to themselves.")


class KeyDateKind(models.TextChoices):
    WEDDING = "wedding", "Wedding anniversary"
    PURCHASE = "purchase", "Purchase anniversary"
    CUSTOMER_SINCE = "customer_since", "Customer since"
    CUSTOM = "custom", "Other date"


class KeyDate(models.Model):
    """A date worth remembering every year. Birthdays live on the customer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="key_dates")
    kind = models.CharField(max_length=20, choices=KeyDateKind.choices)
    label = models.CharField(max_length=100, blank=True, help_text="For other dates: what it is.")
    month = models.PositiveSmallIntegerField()
    day = models.PositiveSmallIntegerField()
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = CustomerScopedQuerySet.as_manager()

    class Meta:
        ordering = ["month", "day"]
        indexes = [models.Index(fields=["month", "day"], name="keydate_month_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12, day__gte=1, day__lte=31),
                name="keydate_month_day_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}: {dates.format_month_day(self.month, self.day, self.year)}"

    @property
    def when(self) -> str:
        return dates.format_month_day(self.month, self.day, self.year)

    @property
    def title(self) -> str:
        if self.kind == KeyDateKind.CUSTOM and self.label:
            return self.label
        return self.get_kind_display()

    def clean(self) -> None:
        error = dates.check_month_day(self.month, self.day, self.year)
        if error:
            raise ValidationError({"day": error})
        if self.kind == KeyDateKind.CUSTOM and not self.label.strip():
            raise ValidationError({"label": "Say what this date is."})


class FactCategory(models.TextChoices):
    FAMILY = "family", "Family"
    HOBBY = "hobby", "Hobbies and interests"
    WORK = "work", "Work"
    VEHICLE = "vehicle", "Vehicle"
    LIFE_EVENT = "life_event", "Life event"
    OTHER = "other", "Other"


def normalise_tags(raw: str) -> str:
    seen: list[str] = []
    for part in raw.replace(";", ",").split(","):
        tag = part.strip().lower()
        if tag and tag not in seen:
            seen.append(tag)
    return ", ".join(seen)


class Fact(models.Model):
    """Something personal that makes every touch personal: a child's name, a hobby, a new job."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="facts")
    text = models.TextField()
    category = models.CharField(max_length=20, choices=FactCategory.choices, default="other")
    tags = models.CharField(max_length=200, blank=True, help_text="Separated by commas.")
    learned_on = models.DateField(null=True, blank=True)
    pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CustomerScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-pinned", "-learned_on", "-id"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in (t.strip() for t in self.tags.split(",")) if tag]

    def clean(self) -> None:
        self.text = self.text.strip()
        if not self.text:
            raise ValidationError({"text": "Write what you learned."})
        self.tags = normalise_tags(self.tags)


class Sale(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="sales")
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date = models.DateField()
    description = models.CharField(max_length=200)
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CustomerScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["customer", "date"], name="sale_customer_date"),
            models.Index(fields=["date"], name="sale_date"),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.date})"


class RewardStatus(models.TextChoices):
    NONE = "none", "No reward"
    PENDING = "pending", "Pending the sale"
    OWED = "owed", "Owed"
    PAID = "paid", "Paid"


def in_book(book: QuerySet[Customer], field: str) -> Exists:
    """The outer row's ``field`` (a customer id) is a customer of ``book``, tested row by row
    through the primary key. For the few rows of one customer's page: ``field__in=book`` makes
    SQLite read the viewer's whole book into a list first (5,000 ids a rep at 1,000,000)."""
    return Exists(book.filter(pk=OuterRef(field)))


class ReferralQuerySet(models.QuerySet["Referral"]):
    def visible_to(self, user: User) -> ReferralQuerySet:
        """Referrals with either side in the book ``user`` sees."""
        if sees_everything(user):
            return self
        book = Customer.objects.visible_to(user)
        return self.filter(Q(referrer__in=book) | Q(referred__in=book))


class Referral(models.Model):
    """Who sent whom. A reward, if any, becomes owed only when the referred sale closes."""

    referrer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="referrals_given")
    referred = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="referrals_received"
    )
    date = models.DateField()
    sale = models.ForeignKey(
        Sale,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
        help_text="The referred customer's sale that closed.",
    )
    reward_amount = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    reward_status = models.CharField(
        max_length=10, choices=RewardStatus.choices, default=RewardStatus.NONE
    )
    reward_paid_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["referrer", "referred"], name="referral_once"),
            models.CheckConstraint(
                condition=~Q(referrer=models.F("referred")), name="referral_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referrer} referred {self.referred}"

    def clean(self) -> None:
        if self.referrer_id and self.referrer_id == self.referred_id:
            raise ValidationError("A customer cannot refer themselves.")
        if self.sale is not None and self.referred_id and self.sale.customer_id != self.referred_id:
            raise ValidationError({"sale": "The sale must be one of the referred customer's."})
        if self.reward_status == RewardStatus.PAID and not self.reward_paid_on:
            raise ValidationError({"reward_paid_on": "Say when the reward was paid."})
        if self.reward_status in {RewardStatus.OWED, RewardStatus.PAID} and not self.sale_id:
            raise ValidationError(
                {"reward_status": "A reward is owed only once the referred sale has closed."}
            )


class PromiseKind(models.TextChoices):
    PROMISE = "promise", "We promised"
    EXPECTATION = "expectation", "They expect"


class Promise(models.Model):
    """What we promised or what the customer expects: met first, before any extra (seed 001)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="promises")
    kind = models.CharField(max_length=12, choices=PromiseKind.choices, default=PromiseKind.PROMISE)
    description = models.CharField(max_length=300)
    due_on = models.DateField()
    met_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CustomerScopedQuerySet.as_manager()

    class Meta:
        ordering = ["met_at", "due_on"]
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(met_at__isnull=True), name="promise_unmet_due"
            )
        ]

    def __str__(self) -> str:
        return self.description

    def is_overdue(self, today: dt.date) -> bool:
        return self.met_at is None and self.due_on < today


class ContactChannel(models.TextChoices):
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"
    VISIT = "visit", "Visit"
    MEAL = "meal", "Breakfast or lunch"
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"
    REPLY = "reply", "Reply to their message"


class Contact(models.Model):
    """A real two-way contact with a customer (a call that reached them, a meeting, a reply).

    Cards, mailings and unanswered calls are not contacts. ``Customer.last_contact_at`` is kept in
    step by ``book.services.record_contact``, the one place contacts are written."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    at = models.DateTimeField()
    channel = models.CharField(max_length=10, choices=ContactChannel.choices)
    summary = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "-at"], name="contact_customer_at")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} with {self.customer} at {self.at:%Y-%m-%d %H:%M}"
