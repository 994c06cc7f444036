import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .models import Permission


def _end_of(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time.max, timezone.get_current_timezone())


class ShareForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none(), required=False)
    role = forms.ModelChoiceField(
        label=_("or everyone with role"), queryset=Group.objects.order_by("name"), required=False
    )
    permission = forms.ChoiceField(label=_("Access"), choices=Permission.choices)
    until = forms.DateField(label=_("Until (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        assert isinstance(person, forms.ModelChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        person.queryset = User.objects.filter(is_active=True).order_by("full_name", "email")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("person")) == bool(cleaned.get("role")):
            raise forms.ValidationError(_("Choose one person or one role."))
        until = cleaned.get("until")
        if until and until < timezone.localdate():
            self.add_error("until", _("The end date must be today or later."))
        cleaned["expires_at"] = _end_of(until)
        return cleaned


class AccessRequestForm(forms.Form):
    permission = forms.ChoiceField(label=_("Access"), choices=Permission.choices)
    message = forms.CharField(label=_("Why do you need it?"), max_length=500, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("deny", _("Deny"))])
    until = forms.DateField(label=_("Until (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["expires_at"] = _end_of(cleaned.get("until"))
        return cleaned
