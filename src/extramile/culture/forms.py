"""The story form: field-level errors in words a rep understands. The rules that need the
database (a customer from the author's own book, the prompts it closes) are in ``services``."""

from __future__ import annotations

from typing import Any

from django import forms

from extramile.accounts.models import User
from extramile.culture.models import Visibility
from extramile.culture.services import MAX_TEXT


def _area(label: str, rows: int = 3, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": f"Keep it under {MAX_TEXT} characters."},
    )


class StoryForm(forms.Form):
    date = forms.DateField(
        label="When",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Say when it happened.",
            "invalid": "Give the date as YYYY-MM-DD.",
        },
    )
    situation = _area("The situation", rows=2)
    what_done = _area("What was done", rows=4, required=True)
    reaction = _area("How they reacted", rows=2)
    lesson = _area("The lesson", rows=2)
    visibility = forms.ChoiceField(
        label="Who sees it",
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who sees the story.",
            "invalid_choice": "Choose who sees the story.",
        },
    )
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    coworker = forms.ModelChoiceField(
        label="A co-worker in the story (optional)",
        queryset=User.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Choose a co-worker from the list."},
    )

    def __init__(self, *args: Any, author: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["what_done"].error_messages["required"] = (
            "Say what was done: that is the story."
        )
        field = self.fields["coworker"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            User.objects.filter(is_active=True)
            .exclude(pk=author.pk)
            .order_by("first_name", "last_name", "username")
        )
