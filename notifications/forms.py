"""The e-mail preferences form: one box per kind of notification."""

from typing import Any

from django import forms

from . import kinds


class EmailPreferencesForm(forms.Form):
    def __init__(self, *args: Any, initial_email: dict[str, bool], **kwargs: Any) -> None:
        kwargs["initial"] = initial_email
        super().__init__(*args, **kwargs)
        for kind, label in kinds.choices():
            self.fields[kind] = forms.BooleanField(label=str(label), required=False)
