"""The quick-log form (every page's top bar) and the new-customer form of an unmatched message."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms

from extramile.inbox.models import Channel


class QuickLogForm(forms.Form):
    channel = forms.ChoiceField(choices=Channel.choices)
    sender = forms.CharField(label="From", max_length=254, help_text="Phone number or e-mail")
    received_at = forms.CharField(
        label="Received at",
        required=False,
        help_text="Blank: now. Your local time.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    name = forms.CharField(label="Name", required=False, max_length=200)
    summary = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def received(self, now: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
        """The time received (a local time without a zone is the user's), or now."""
        text = (self.cleaned_data.get("received_at") or "").strip()
        if not text:
            return now
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError(
                f"“{text}” is not a date and time: use YYYY-MM-DD HH:MM."
            ) from None
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


class NewCustomerForm(forms.Form):
    first_name = forms.CharField(required=False, max_length=100)
    last_name = forms.CharField(required=False, max_length=100)
    company_name = forms.CharField(label="Company", required=False, max_length=200)

    @staticmethod
    def initial_for(from_name: str) -> dict[str, str]:
        """First and last name guessed from the name given with the message."""
        first, _, last = " ".join(from_name.split()).partition(" ")
        return {"first_name": first, "last_name": last}
