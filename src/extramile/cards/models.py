"""Occasions, the message templates and the cards themselves."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from extramile.accounts.scoping import OwnedQuerySet
from extramile.book import dates
from extramile.book.models import PostalAddress


class Source(models.TextChoices):
    """Where an occasion's date comes from."""

    BIRTHDAY = "birthday", "The customer's birthday"
    WEDDING = "wedding", "Wedding anniversaries (key dates)"
    PURCHASE = "purchase", "Purchase anniversaries (sales and key dates)"
    CUSTOMER_SINCE = "customer_since", "Customer-since anniversaries"
    KEY_DATE = "key_date", "The customer's other key dates"
    HOLIDAY = "holiday", "A holiday"
    FIXED = "fixed", "A fixed date every year"
    NTH_WEEKDAY = "nth_weekday", "The nth weekday of a month"
    SALE = "sale", "A sale (a thank-you note, created when the sale is recorded)"
    ARTICLE = "article", "An article by post (created when the article mailing goes out)"
    MONTHLY = "monthly", "The monthly card (one a month to everyone, when switched on)"


# Sources whose cards are created by something that happens (a sale, an article mailing), never
# by the calendar planner.
CREATED_ELSEWHERE = {Source.SALE, Source.ARTICLE, Source.MONTHLY}


# Sources whose date belongs to one customer: they are planned from the book, not the calendar.
PERSONAL_SOURCES = {
    Source.BIRTHDAY,
    Source.WEDDING,
    Source.PURCHASE,
    Source.CUSTOMER_SINCE,
    Source.KEY_DATE,
}

NTH_CHOICES = [(1, "first"), (2, "second"), (3, "third"), (4, "fourth"), (5, "fifth"), (-1, "last")]
WEEKDAY_CHOICES = list(
    enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
)


class Occasion(models.Model):
    """Something the company sends a card for. The built-in ones are created by a migration."""

    code = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=100, help_text="As on the Cards page: “Christmas”.")
    greeting = models.CharField(
        max_length=100, blank=True, help_text="The card's front line: “Happy birthday”."
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    holiday = models.CharField(
        max_length=120,
        blank=True,
        help_text="For holidays: a code from the holiday list, e.g. easter or holidays:US:Independence Day.",
    )
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    day = models.PositiveSmallIntegerField(null=True, blank=True)
    weekday = models.PositiveSmallIntegerField(null=True, blank=True, choices=WEEKDAY_CHOICES)
    nth = models.SmallIntegerField(null=True, blank=True, choices=NTH_CHOICES)
    per_household = models.BooleanField(
        default=False, help_text="One card per household (holidays) rather than one per person."
    )
    sends_by_default = models.BooleanField(
        default=False,
        help_text="Every customer gets this card unless they opt out; otherwise only those who opt in.",
    )
    template = models.TextField(
        blank=True, help_text="The company's message; fields in braces, e.g. {preferred_name}."
    )
    handwritten = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Written by hand: only the envelope and label are printed (thank-you notes).",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name="occasion_month_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_personal(self) -> bool:
        return self.source in PERSONAL_SOURCES

    @property
    def is_thank_you(self) -> bool:
        """Created when a sale is recorded (cards/thanks.py), never by the calendar planner."""
        return self.source == Source.SALE

    @property
    def is_article(self) -> bool:
        """An article by post (articles/delivery.py), never planned by the calendar planner."""
        return self.source == Source.ARTICLE

    def clean(self) -> None:
        from extramile.cards import calendar
        from extramile.cards.messages import check_template

        if self.source == Source.HOLIDAY:
            error = calendar.check_holiday_code(self.holiday)
            if error:
                raise ValidationError({"holiday": error})
        if self.source == Source.FIXED:
            error = dates.check_month_day(self.month, self.day) or (
                None if self.month else "Give the month and the day."
            )
            if error:
                raise ValidationError({"day": error})
        if self.source == Source.NTH_WEEKDAY and (
            self.month is None or self.weekday is None or self.nth is None
        ):
            raise ValidationError("Give the month, the weekday and which one (first … last).")
        error = check_template(self.template)
        if error:
            raise ValidationError({"template": error})


class OccasionPreference(models.Model):
    """A customer's own choice: no card for this occasion, or a card the company does not send by
    default (someone who celebrates Diwali, say)."""

    customer = models.ForeignKey(
        "book.Customer", on_delete=models.CASCADE, related_name="occasion_preferences"
    )
    occasion = models.ForeignKey(Occasion, on_delete=models.CASCADE, related_name="preferences")
    wants_card = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["occasion", "customer"], name="preference_once")
        ]

    def __str__(self) -> str:
        verb = "wants" if self.wants_card else "does not want"
        return f"{self.customer} {verb} a {self.occasion} card"


class CardTemplate(models.Model):
    """A rep's own wording for an occasion, used instead of the company's; one per language
    (``language`` empty: the company's language)."""

    occasion = models.ForeignKey(Occasion, on_delete=models.CASCADE, related_name="rep_templates")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="card_templates"
    )
    language = models.CharField(max_length=10, blank=True, default="", db_default="")
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["occasion", "user", "language"], name="template_once")
        ]

    def __str__(self) -> str:
        return f"{self.user}'s {self.occasion} message"

    def clean(self) -> None:
        from extramile.cards.messages import check_template

        error = check_template(self.text)
        if error:
            raise ValidationError({"text": error})


class CardStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    WRITTEN = "written", "Written"
    MAILED = "mailed", "Mailed"
    SKIPPED = "skipped", "Skipped"


class Card(models.Model):
    """One card for one recipient (a person or a household), one occasion and one year."""

    # A season's planning writes millions of cards in INSERT … SELECT statements whose rows come
    # from the customer table itself, so the references are right by construction. The foreign
    # keys therefore carry neither their own index (the composite ones below start with them) nor
    # a database constraint (PostgreSQL checks each with a trigger per row: 4 of them made an
    # insert 5 times slower). Django still applies on_delete (cascade, protect) itself.
    occasion = models.ForeignKey(
        Occasion,
        on_delete=models.PROTECT,
        related_name="cards",
        db_index=False,
        db_constraint=False,
    )
    year = models.PositiveSmallIntegerField()
    occasion_on = models.DateField(help_text="The day of the occasion.")
    mail_by = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="cards",
        db_index=False,
        db_constraint=False,
    )
    customer = models.ForeignKey(
        "book.Customer",
        on_delete=models.CASCADE,
        related_name="cards",
        db_index=False,
        db_constraint=False,
        help_text="The person, or for a household card the member it was planned from.",
    )
    household = models.ForeignKey(
        "book.Household",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cards",
        help_text="Set for a household card: addressed to the whole household.",
        db_index=False,
        db_constraint=False,
    )
    sale = models.ForeignKey(
        "book.Sale",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="thank_you_notes",
        db_index=False,
        db_constraint=False,
        help_text="For a thank-you note: the day's first sale (the note thanks for every sale "
        "that day).",
    )
    article_mailing = models.ForeignKey(
        "articles.ArticleMailing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="letters",
        db_index=False,
        db_constraint=False,
        help_text="For an article by post: the mailing this letter carries.",
    )
    status = models.CharField(
        max_length=10, choices=CardStatus.choices, default=CardStatus.PLANNED, db_default="planned"
    )
    message = models.TextField(blank=True, default="", db_default="")
    personal = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="The message's personal part (see guard.py), kept for the near-copy check.",
    )
    handwritten = models.BooleanField(default=False, db_default=False)
    override_reason = models.CharField(
        max_length=300,
        blank=True,
        default="",
        db_default="",
        help_text="Why the card went out although the personalisation guard objected.",
    )
    skip_reason = models.CharField(max_length=300, blank=True, default="", db_default="")
    written_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["mail_by", "id"]
        indexes = [
            models.Index(fields=["owner", "mail_by"], name="card_owner_mail_by"),
            models.Index(
                fields=["owner", "mailed_at"],
                condition=Q(mailed_at__isnull=False),
                name="card_owner_mailed",
            ),
            # Thank-you notes still to write or mail, per rep (Today's items): a handful per rep,
            # and season cards (no sale) never enter it.
            models.Index(
                fields=["owner", "mail_by"],
                condition=Q(sale__isnull=False, status__in=["planned", "written"]),
                name="card_open_notes",
            ),
            # A deleted sale unlinks its note (on_delete runs in Django, by sale id).
            models.Index(fields=["sale"], condition=Q(sale__isnull=False), name="card_sale"),
        ]
        constraints = [
            # One card per recipient, occasion and year: what makes planning idempotent. Integer
            # columns, and they double as the customer's and the household's card history.
            models.UniqueConstraint(
                fields=["customer", "occasion", "occasion_on"],
                condition=Q(household__isnull=True),
                name="card_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["household", "occasion", "year"],
                condition=Q(household__isnull=False),
                name="card_once_per_household",
            ),
            # One letter per article mailing (what makes sending idempotent); also the index a
            # deleted mailing's on_delete and the articles pages read through.
            models.UniqueConstraint(
                fields=["article_mailing"],
                condition=Q(article_mailing__isnull=False),
                name="card_once_per_mailing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occasion} {self.year}: {self.recipient_name}"

    @property
    def recipient_name(self) -> str:
        if self.household_id is not None and self.household is not None:
            return self.household.name
        return self.customer.full_name

    @property
    def is_open(self) -> bool:
        return self.status in {CardStatus.PLANNED, CardStatus.WRITTEN}

    @property
    def postal_source(self) -> PostalAddress | None:
        """Where the card is mailed: the household's address, else the person's; None if unknown."""
        household = self.household if self.household_id is not None else None
        if household is not None and household.has_postal_address:
            return household
        return self.customer.mailing_address()

    @property
    def needs_address(self) -> bool:
        return self.postal_source is None


HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "A colour is written #RRGGBB, e.g. #1f4e79.")


class CardBranding(models.Model):
    """How the company's cards look and speak (a singleton, primary key 1): the company's card
    language, logo, colours, sign-off, the handwriting font, a design per occasion and the monthly
    card programme's switch."""

    language = models.CharField(
        "the company's language",
        max_length=10,
        default="en",
        help_text="Cards for customers without a language of their own (or one without wording).",
    )
    logo = models.BinaryField(blank=True, default=b"", editable=True)
    logo_width = models.PositiveIntegerField(default=0)
    logo_height = models.PositiveIntegerField(default=0)
    primary_colour = models.CharField(max_length=7, default="#1f4e79", validators=[HEX_COLOUR])
    accent_colour = models.CharField(max_length=7, default="#c8a951", validators=[HEX_COLOUR])
    sign_off = models.CharField(
        max_length=100, blank=True, help_text="Above the signature; empty: the language's own."
    )
    handwriting = models.BooleanField(
        "handwriting-style messages",
        default=False,
        help_text="Print messages and signatures in a handwriting font (Dancing Script).",
    )
    designs = models.JSONField(default=dict, blank=True, help_text="Occasion code → design.")
    monthly = models.BooleanField(
        "the monthly card",
        default=False,
        help_text="One card a month to every customer and prospect, on the month's theme.",
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "card branding"

    def __str__(self) -> str:
        return "Card branding"

    @classmethod
    def get(cls) -> CardBranding:
        branding, _ = cls.objects.get_or_create(pk=1)
        return branding


class CardSigner(models.Model):
    """How a rep signs: the printed name and title under the signature and above the return
    address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="card_signer"
    )
    printed_name = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=100, blank=True, help_text="For example Sales advisor.")

    def __str__(self) -> str:
        return self.printed_name or str(self.user)


class MonthlyTheme(models.Model):
    """The monthly card's theme for one month: its name and the line the card says."""

    month = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=100)
    line = models.CharField(max_length=300, help_text="The card's line for the month.")

    class Meta:
        ordering = ["month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="monthly_theme_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month}: {self.name}"
