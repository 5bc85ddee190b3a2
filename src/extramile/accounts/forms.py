"""Settings forms: a user's own profile and, for admins, the company."""

from __future__ import annotations

import zoneinfo

from django import forms

from extramile.accounts.models import WEEKDAY_NAMES, Company, User

ZONES = sorted(zoneinfo.available_timezones())


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=[("", "The company's time zone")] + [(z, z) for z in ZONES],
        required=False,
        help_text="“Today” is your local day in this zone.",
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "time_zone", "digest_enabled", "digest_at"]
        widgets = {"digest_at": forms.TimeInput(attrs={"type": "time"})}


class CompanyForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=[(z, z) for z in ZONES])
    working_days = forms.TypedMultipleChoiceField(
        choices=list(enumerate(WEEKDAY_NAMES)),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "At least one working day is needed."},
    )

    class Meta:
        model = Company
        fields = [
            "name",
            "street",
            "city",
            "region",
            "postal_code",
            "country",
            "time_zone",
            "business_day_starts",
            "business_day_ends",
            "working_days",
            "card_lead_days",
            "observe_public_holidays",
            "reply_within_minutes",
            "calls_per_day",
            "cadence_a_days",
            "cadence_b_days",
            "cadence_c_days",
            "tier_a_percent",
            "tier_b_percent",
            "article_every_months",
            "emails_per_minute",
            "lunch_every_days",
            "leaderboard",
        ]
        widgets = {
            "business_day_starts": forms.TimeInput(attrs={"type": "time"}),
            "business_day_ends": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if self.instance.pk:
            self.initial["working_days"] = sorted(self.instance.working_weekdays)

    def clean_country(self) -> str:
        return (self.cleaned_data.get("country") or "").upper()

    def clean_working_days(self) -> str:
        return ",".join(str(day) for day in sorted(set(self.cleaned_data["working_days"])))
