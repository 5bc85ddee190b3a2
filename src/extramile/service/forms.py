"""Forms for the Service pages, with messages a user understands. The rules live in services.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from extramile.accounts.models import User
from extramile.book.models import Customer
from extramile.service.models import MAX_TARGET_MINUTES, Priority, ServiceTarget


class NewRequestForm(forms.Form):
    customer = forms.IntegerField(widget=forms.HiddenInput)
    subject = forms.CharField(
        max_length=200,
        error_messages={
            "required": "Give the request a subject: what does the customer need?",
            "max_length": "Keep the subject under 200 characters.",
        },
    )
    details = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    priority = forms.ChoiceField(
        choices=Priority.choices,
        initial=Priority.NORMAL,
        error_messages={"invalid_choice": "Choose urgent, high, normal or low."},
    )
    went_wrong = forms.BooleanField(
        label="Something went wrong (we let the customer down)", required=False
    )
    assignee = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(
        self, *args: Any, customers: QuerySet[Customer], assignees: list[User], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.customers = customers
        self.assignees = {user.pk: user for user in assignees}
        field = self.fields["assignee"]
        if len(assignees) > 1 and isinstance(field, forms.ChoiceField):
            field.choices = [("", "The customer’s rep")] + [
                (user.pk, str(user)) for user in assignees
            ]
        else:
            del self.fields["assignee"]

    def clean_customer(self) -> Customer:
        customer = self.customers.filter(pk=self.cleaned_data["customer"]).first()
        if customer is None:
            raise ValidationError("Choose a customer from your book.")
        return customer

    def clean_assignee(self) -> User | None:
        pk = self.cleaned_data.get("assignee")
        if pk is None:
            return None
        if pk not in self.assignees:
            raise ValidationError("Choose someone who can see this customer.")
        return self.assignees[pk]


HOURS_ERRORS = {
    "required": "Give a number of business hours.",
    "invalid": "Write the hours as a number, such as 1.5.",
    "min_value": "A target needs at least three minutes (0.05 h).",
    "max_value": f"A target can be {MAX_TARGET_MINUTES // 60} business hours at most.",
}


def hours_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.05"),
        max_value=Decimal(MAX_TARGET_MINUTES // 60),
        error_messages=HOURS_ERRORS,
    )


class TargetForm(forms.Form):
    """One priority's targets, edited in business hours (stored in minutes)."""

    first_response_hours = hours_field("First response within (business hours)")
    resolve_hours = hours_field("Resolve within (business hours)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, resolve = data.get("first_response_hours"), data.get("resolve_hours")
        if first is not None and resolve is not None and resolve < first:
            raise ValidationError(
                "A request cannot be resolved sooner than it is first answered: make the "
                "resolution target at least as long as the first response's."
            )
        return data

    def save(self, target: ServiceTarget) -> ServiceTarget:
        target.first_response_minutes = round(self.cleaned_data["first_response_hours"] * 60)
        target.resolve_minutes = round(self.cleaned_data["resolve_hours"] * 60)
        target.full_clean()
        target.save()
        return target
