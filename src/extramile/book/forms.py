"""Forms for the customer book, with clear messages. Rules live in the models and book/contact.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from extramile.accounts.models import Company, User
from extramile.book import services, shape
from extramile.book.contact import normalise_email, normalise_phone
from extramile.book.models import Customer, Fact, Promise


class CustomerForm(forms.ModelForm):
    email = forms.CharField(label="E-mail", required=False, max_length=254)
    phone = forms.CharField(label="Phone", required=False, max_length=40)

    class Meta:
        model = Customer
        fields = list(shape.EDITABLE)
        fields.insert(fields.index("tier") + 1, "owner")
        widgets = {
            "customer_since": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "birth_month": forms.NumberInput(attrs={"min": 1, "max": 12, "placeholder": "month"}),
            "birth_day": forms.NumberInput(attrs={"min": 1, "max": 31, "placeholder": "day"}),
            "birth_year": forms.NumberInput(attrs={"placeholder": "year (optional)"}),
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
        for name in ("birth_month", "birth_day", "birth_year"):
            self.fields[name].required = False
        self.fields["tier"].required = False  # left out: the customer keeps their tier
        self.tier_before = self.instance.tier

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
    class Meta:
        model = Fact
        fields = ["text", "category", "tags", "learned_on", "pinned"]
        widgets = {
            "text": forms.TextInput(attrs={"placeholder": "Daughter Mia starts college in Boston"}),
            "learned_on": forms.DateInput(attrs={"type": "date"}),
            "tags": forms.TextInput(attrs={"placeholder": "family, college"}),
        }


class PromiseForm(forms.ModelForm):
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
