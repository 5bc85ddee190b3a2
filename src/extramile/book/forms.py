"""Forms for the customer book, with clear messages. Rules live in the models and book/contact.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from extramile.accounts.models import Company, User
from extramile.book.contact import normalise_email, normalise_phone
from extramile.book.models import Customer, Fact, Promise


class CustomerForm(forms.ModelForm):
    email = forms.CharField(label="E-mail", required=False, max_length=254)
    phone = forms.CharField(label="Phone", required=False, max_length=40)

    class Meta:
        model = Customer
        fields = [
            "first_name",
            "last_name",
            "preferred_name",
            "company_name",
            "status",
            "owner",
            "birth_month",
            "birth_day",
            "birth_year",
            "street",
            "city",
            "region",
            "postal_code",
            "country",
            "language",
            "time_zone",
            "customer_since",
            "do_not_call",
            "do_not_email",
            "do_not_mail",
            "do_not_text",
            "notes",
        ]
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

    def clean_email(self) -> str:
        raw = self.cleaned_data.get("email", "").strip()
        return normalise_email(raw) if raw else ""

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "").strip()
        return normalise_phone(raw, self.company.country) if raw else ""

    def clean_country(self) -> str:
        return (self.cleaned_data.get("country") or "").upper()

    def save(self, commit: bool = True) -> Customer:
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
