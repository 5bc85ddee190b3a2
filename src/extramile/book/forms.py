"""Forms for the customer book, with clear messages. Rules live in the models and book/contact.py."""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from extramile.accounts.models import Company, User
from extramile.book import services, shape
from extramile.book.contact import normalise_email, normalise_phone
from extramile.book.models import Customer, Fact, Promise

MONTHS = [("", "—")] + [(str(n), calendar.month_name[n]) for n in range(1, 13)]


def time_zone_choices(blank: str) -> list[tuple[str, str]]:
    """Every IANA time zone Python knows (zoneinfo), for a <select>; the blank first."""
    zones = sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")
    )
    return [("", blank), ("UTC", "UTC"), *((zone, zone.replace("_", " ")) for zone in zones)]


class CustomerForm(forms.ModelForm):
    email = forms.CharField(  # checked by book.contact.normalise_email, with its reason
        label="E-mail",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label="Phone",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    birth_month = forms.TypedChoiceField(
        label="Month",
        choices=MONTHS,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose a month from January to December."},
    )
    birth_day = forms.IntegerField(
        label="Day",
        required=False,
        min_value=1,
        max_value=31,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": "A day of the month is 1 to 31.",
            "max_value": "A day of the month is 1 to 31.",
            "invalid": "Write the day as a number from 1 to 31.",
        },
    )
    birth_year = forms.IntegerField(
        label="Year (optional)",
        required=False,
        min_value=1900,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": "Write the year with four digits, e.g. 1980.",
            "max_value": "Write the year with four digits, e.g. 1980.",
            "invalid": "Write the year with four digits, e.g. 1980.",
        },
    )

    # Reading order: who, how to reach them, the birthday, the address, their place in the book,
    # where they live and speak, what not to do, notes. The page draws one section per group.
    GROUPS = (
        ("Name", ("first_name", "last_name", "preferred_name", "company_name")),
        ("Contact", ("email", "phone")),
        ("Birthday", ("birth_month", "birth_day", "birth_year")),
        ("Address", ("street", "city", "region", "postal_code", "country")),
        ("In the book", ("status", "tier", "owner", "customer_since")),
        ("Language and time", ("language", "time_zone")),
        ("Do not contact", ("do_not_call", "do_not_email", "do_not_mail", "do_not_text")),
        ("Notes", ("notes",)),
    )

    class Meta:
        model = Customer
        fields = list(shape.EDITABLE)
        fields.insert(fields.index("tier") + 1, "owner")
        widgets = {
            "customer_since": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args: Any, owners: QuerySet[User], company: Company, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.company = company
        choices = list(owners[:2])
        if len(choices) == 1:
            # A rep's customers are their own: nothing to choose, nothing to tamper with.
            del self.fields["owner"]
            self.instance.owner = choices[0]
        else:
            owner_field = self.fields["owner"]
            assert isinstance(owner_field, forms.ModelChoiceField)
            owner_field.queryset = owners
        if not self.instance.pk:
            self.fields["country"].initial = company.country
        zones = time_zone_choices(f"The company's ({company.time_zone})")
        if (
            self.instance.time_zone
            and (self.instance.time_zone, self.instance.time_zone) not in zones
        ):
            zones.append((self.instance.time_zone, self.instance.time_zone))  # kept as it was
        self.fields["time_zone"] = forms.ChoiceField(
            label=self.fields["time_zone"].label,
            required=False,
            choices=zones,
            error_messages={
                "invalid_choice": "“%(value)s” is not a time zone: choose one from the list."
            },
        )
        self.order_fields([name for _title, names in self.GROUPS for name in names])
        self.fields["tier"].required = False  # left out: the customer keeps their tier
        self.tier_before = self.instance.tier

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The page's sections, in reading order, with the fields this user may set."""
        sections = []
        for title, names in self.GROUPS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                sections.append((title, fields))
        return sections

    def clean_email(self) -> str:
        raw = self.cleaned_data.get("email", "").strip()
        return normalise_email(raw) if raw else ""

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "").strip()
        return normalise_phone(raw, self.company.country) if raw else ""

    def clean_tier(self) -> str:
        return self.cleaned_data.get("tier") or self.instance.tier or "C"

    def clean_country(self) -> str:
        return (self.cleaned_data.get("country") or "").upper()

    def save(self, commit: bool = True) -> Customer:
        if self.add_prefix("tier") in self.data:
            self.instance.tier = self.tier_before
            services.pick_tier(self.instance, self.cleaned_data["tier"])
        customer = super().save(commit=commit)
        if commit:
            email, phone = self.cleaned_data.get("email"), self.cleaned_data.get("phone")
            if email and not customer.emails.filter(address__iexact=email).exists():
                customer.emails.create(address=email, is_primary=not customer.emails.exists())
            if phone and not customer.phones.filter(number=phone).exists():
                customer.phones.create(number=phone, is_primary=not customer.phones.exists())
        return customer


class FactForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "fact-%s")  # the customer page has three forms: unique ids
        super().__init__(*args, **kwargs)

    class Meta:
        model = Fact
        fields = ["text", "category", "tags", "learned_on", "pinned"]
        widgets = {
            "text": forms.TextInput(attrs={"placeholder": "Daughter Mia starts college in Boston"}),
            "learned_on": forms.DateInput(attrs={"type": "date"}),
            "tags": forms.TextInput(attrs={"placeholder": "family, college"}),
        }


class PromiseForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "promise-%s")
        super().__init__(*args, **kwargs)

    class Meta:
        model = Promise
        fields = ["kind", "description", "due_on"]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.TextInput(attrs={"placeholder": "Send the quote in writing"}),
        }


class SnoozeForm(forms.Form):
    until = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def clean_until(self) -> Any:
        until = self.cleaned_data["until"]
        if until is None:
            raise ValidationError("Pick a day.")
        return until


class SaleForm(forms.Form):
    """Record a sale (customer page, ``extramile sale``): the day, what was bought, the amount.

    ``today`` is the user's local date: a sale cannot be dated after it."""

    date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Write the date as YYYY-MM-DD, e.g. 2026-11-23."},
    )
    description = forms.CharField(
        label="What was bought",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "A three-seat sofa in green velvet"}),
        error_messages={
            "required": "Say what was bought.",
            "max_length": "Describe the sale in 200 characters at most.",
        },
    )
    amount = forms.DecimalField(
        label=f"Amount ({settings.EXTRAMILE_CURRENCY})",
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        error_messages={
            "required": "Give the amount, e.g. 1249.00.",
            "invalid": "Write the amount as a number, e.g. 1249.00 (no currency sign).",
            "max_decimal_places": "The amount has at most two decimals (cents).",
            "max_digits": "That amount is too large: at most 9,999,999,999.99.",
            "max_whole_digits": "That amount is too large: at most 9,999,999,999.99.",
        },
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "sale-%s")
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["date"].initial = today
        self.fields["date"].widget.attrs["max"] = today.isoformat()

    # The rules are the service's (``record_sale`` applies them again); asked here too so that
    # each error is shown beside its field.
    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        services.check_sale_date(day, self.today)
        return day

    def clean_description(self) -> str:
        return services.sale_description(self.cleaned_data["description"])

    def clean_amount(self) -> Decimal:
        amount: Decimal = self.cleaned_data["amount"]
        if not amount.is_finite():
            raise ValidationError("Write the amount as a number, e.g. 1249.00.")
        if amount < 0:
            raise ValidationError("An amount can't be negative: record a refund separately.")
        return amount
