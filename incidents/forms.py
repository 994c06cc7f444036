"""Forms of the incident pages: report, edit, workflow, breach record, notes, actions, attachments, filters."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .models import SEVERITY_DEFINITIONS, CorrectiveAction, Incident, Severity, Status, Type


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


# Times before this are typing errors, not incidents; they also keep the stored times within what the database
# and Python can both represent once converted to UTC (year 1 in Stockholm is year 0 in UTC).
EARLIEST_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FUTURE_GRACE = dt.timedelta(minutes=5)
DASHBOARD_FUTURE = dt.timedelta(days=366)


class PastDateTimeField(forms.DateTimeField):
    """A time something happened: from the year 2000 up to now (a few minutes of clock skew allowed)."""

    default_error_messages = {
        "too_early": _("Give a time in the year 2000 or later."),
        "future": _("This time cannot be in the future."),
    }
    widget = LocalDateTimeInput

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        if value < EARLIEST_TIME:
            raise forms.ValidationError(self.error_messages["too_early"], code="too_early")
        if value > timezone.now() + FUTURE_GRACE:
            raise forms.ValidationError(self.error_messages["future"], code="future")


class AffectedField(forms.CharField):
    """Affected services and assets as one comma-separated line."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]  # the field cleans to a list, not str
        text = super().to_python(value) or ""
        return [part.strip() for part in str(text).replace("\n", ",").split(",") if part.strip()]


def severity_help() -> str:
    return " ".join(f"{Severity(level).label}: {text}" for level, text in SEVERITY_DEFINITIONS.items())


def _active_people() -> Any:
    return User.objects.filter(is_active=True).order_by("full_name", "email")


class ReportForm(forms.Form):
    title = forms.CharField(
        label=_("What happened?"), max_length=200, help_text=_("A short title, e.g. “Laptop stolen from car”.")
    )
    description = forms.CharField(
        label=_("Details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you saw, what you did, who else knows. No passwords."),
    )
    detected_at = PastDateTimeField(
        label=_("When did you notice it?"),
        required=False,
        help_text=_("Leave empty to use the current time."),
        error_messages={"future": _("The time it was noticed cannot be in the future.")},
    )
    affected = forms.CharField(
        label=_("What is affected?"),
        required=False,
        max_length=500,
        help_text=_("Services, systems, devices or data; separate them with commas."),
    )
    type = forms.ChoiceField(label=_("Kind of incident"), choices=Type.choices, initial=Type.SECURITY)


class IncidentForm(forms.ModelForm):
    affected = AffectedField(
        label=_("Affected services and assets"), required=False, help_text=_("Separate them with commas.")
    )

    class Meta:
        model = Incident
        fields = [
            "title",
            "description",
            "type",
            "severity",
            "assignee",
            "occurred_at",
            "detected_at",
            "affected",
            "root_cause",
            "lessons_learned",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "root_cause": forms.Textarea(attrs={"rows": 3}),
            "lessons_learned": forms.Textarea(attrs={"rows": 3}),
            "occurred_at": LocalDateTimeInput(),
            "detected_at": LocalDateTimeInput(),
        }
        field_classes = {"occurred_at": PastDateTimeField, "detected_at": PastDateTimeField}

    def __init__(self, *args: Any, can_assign: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        assignee.queryset = _active_people()
        self.fields["severity"].help_text = severity_help()
        if not can_assign:
            del self.fields["assignee"]


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    severity = forms.TypedChoiceField(
        label=_("Severity"), choices=[("", "—"), *Severity.choices], coerce=int, empty_value=None, required=False
    )
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        assignee.queryset = _active_people()


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why reopen it?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class BreachForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = [
            "personal_data_breach",
            "authority_notified_at",
            "authority_not_notified_reason",
            "subjects_notified_at",
            "subjects_not_notified_reason",
        ]
        widgets = {
            "authority_notified_at": LocalDateTimeInput(),
            "subjects_notified_at": LocalDateTimeInput(),
            "authority_not_notified_reason": forms.Textarea(attrs={"rows": 2}),
            "subjects_not_notified_reason": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"authority_notified_at": PastDateTimeField, "subjects_notified_at": PastDateTimeField}
        labels = {
            "personal_data_breach": _("This is a personal-data breach (GDPR art. 33: 72 hours from detection)"),
            "authority_not_notified_reason": _("Or: why the authority is not notified"),
            "subjects_not_notified_reason": _("Or: why the data subjects are not notified"),
        }


class TimelineForm(forms.Form):
    at = PastDateTimeField(
        label=_("When"),
        required=False,
        help_text=_("Leave empty to use the current time."),
        error_messages={"future": _("A timeline entry cannot be in the future.")},
    )
    text = forms.CharField(label=_("Timeline note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Corrective action"), max_length=300)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        owner.queryset = _active_people()


class RiskLinkForm(forms.Form):
    risks: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Linked risks"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, risks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["risks"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        field.queryset = risks


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


SORTS = {
    "-reported": ("-reported_at", "-id"),
    "reported": ("reported_at", "id"),
    "severity": ("severity", "-reported_at", "-id"),
    "status": ("status", "-reported_at", "-id"),
    "reference": ("reference",),
    "-detected": ("-detected_at", "-id"),
}


class IncidentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), ("open", _("Open (not resolved)")), *Status.choices]
    )
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All")), *Type.choices])
    severity = forms.ChoiceField(
        label=_("Severity"),
        required=False,
        choices=[("", _("All")), *[(str(value), label) for value, label in Severity.choices], ("none", _("Not set"))],
    )
    breach = forms.ChoiceField(
        label=_("Personal-data breach"), required=False, choices=[("", _("All")), ("yes", _("Yes")), ("no", _("No"))]
    )
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
    mine = forms.BooleanField(label=_("Only mine"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("-reported", _("Newest first")),
            ("reported", _("Oldest first")),
            ("severity", _("Most severe first")),
            ("status", _("Status")),
            ("reference", _("Reference")),
            ("-detected", _("Latest detected first")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        assignee.queryset = User.objects.filter(
            pk__in=Incident.objects.exclude(assignee=None).values("assignee_id")
        ).order_by("full_name", "email")
        assignee.empty_label = _("All")


class DashboardFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All")), *Type.choices])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The period must start before it ends."))
        # The chart has a bar per month: a period of centuries would be megabytes of SVG, and the last
        # representable date has no day after it to end the period on.
        for day in (start, end):
            if day and not EARLIEST_TIME.date() <= day <= timezone.localdate() + DASHBOARD_FUTURE:
                raise forms.ValidationError(_("Choose dates from the year 2000 up to a year from now."))
        return cleaned


ACTION_STATUSES = CorrectiveAction.Status.choices
