"""Forms for the cards' branding (Settings, admins) and a rep's signature (Settings, everyone)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from extramile.cards import language
from extramile.cards.branding import clean_logo
from extramile.cards.models import CardBranding, CardSigner, Occasion
from extramile.cards.printing import DESIGNS

DESIGN_CHOICES = [("", "Built-in for the occasion"), *((d, d.capitalize()) for d in DESIGNS)]
DESIGNED = ["birthday", "wedding", "christmas", "new_year", "thank_you", "monthly"]


class BrandingForm(forms.ModelForm):
    logo_file = forms.FileField(
        label="Logo", required=False, help_text="PNG or JPEG, up to 2 MB; printed on every card."
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)
    language = forms.ChoiceField(label="The company's language")

    class Meta:
        model = CardBranding
        fields = [
            "language",
            "primary_colour",
            "accent_colour",
            "sign_off",
            "handwriting",
            "monthly",
        ]
        widgets = {
            "primary_colour": forms.TextInput(attrs={"type": "color"}),
            "accent_colour": forms.TextInput(attrs={"type": "color"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language.choices()  # type: ignore[attr-defined]
        names = dict(Occasion.objects.filter(code__in=DESIGNED).values_list("code", "name"))
        for code in DESIGNED:
            if code in names:
                self.fields[f"design_{code}"] = forms.ChoiceField(
                    label=f"Design: {names[code]}",
                    choices=DESIGN_CHOICES,
                    required=False,
                    initial=(self.instance.designs or {}).get(code, ""),
                )

    def clean_logo_file(self) -> tuple[bytes, int, int] | None:
        upload = self.cleaned_data.get("logo_file")
        if not upload:
            return None
        return clean_logo(upload.read())

    def save(self, commit: bool = True) -> CardBranding:
        branding = super().save(commit=False)
        branding.designs = {
            code: self.cleaned_data[f"design_{code}"]
            for code in DESIGNED
            if self.cleaned_data.get(f"design_{code}")
        }
        logo = self.cleaned_data.get("logo_file")
        if logo:
            branding.logo, branding.logo_width, branding.logo_height = logo
        elif self.cleaned_data.get("remove_logo"):
            branding.logo, branding.logo_width, branding.logo_height = b"", 0, 0
        if commit:
            branding.save()
        return branding


class SignerForm(forms.ModelForm):
    class Meta:
        model = CardSigner
        fields = ["printed_name", "title"]
        labels = {"printed_name": "Your name as printed on cards", "title": "Your title"}

    def clean_printed_name(self) -> str:
        name = self.cleaned_data["printed_name"].strip()
        if len(name) > 100:
            raise ValidationError("A printed name holds 100 characters at most.")
        return name
