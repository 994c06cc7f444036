"""Forms of the review pages: plan a review, sections, decisions, actions, team meetings, list filters."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .models import ActionItem, Decision, ReviewMeeting, TeamMeeting

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _people() -> Any:
    return User.objects.filter(is_active=True).order_by("full_name", "email")


class ReviewForm(forms.ModelForm):
    class Meta:
        model = ReviewMeeting
        fields = ["title", "date", "chair", "attendees"]
        widgets = {"date": DATE, "attendees": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("chair", "attendees"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
            field.queryset = _people()


class SectionForm(forms.Form):
    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=20000)


class DecisionForm(forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["kind", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class ActionForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["title", "owner", "due_date"]
        widgets = {"due_date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        owner.queryset = _people()


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionItem.Status.choices)


class ReviewFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *ReviewMeeting.Status.choices]
    )


class ActionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("not_closed", _("Not closed")), *ActionItem.Status.choices],
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("All"))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        owner.queryset = owners


class TeamMeetingForm(forms.ModelForm):
    class Meta:
        model = TeamMeeting
        fields = ["date", "team", "notes", "attendees"]
        widgets = {"date": DATE, "notes": forms.Textarea(attrs={"rows": 5}), "attendees": forms.CheckboxSelectMultiple}
        help_texts = {"attendees": _("Optional.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        attendees = self.fields["attendees"]
        assert isinstance(attendees, forms.ModelMultipleChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        attendees.queryset = _people()


class TeamMeetingFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    team = forms.CharField(label=_("Team"), required=False)


class IssueForm(forms.Form):
    text = forms.CharField(label=_("Raised issue"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class IssueIncidentForm(forms.Form):
    title = forms.CharField(label=_("Incident title"), max_length=200)
    affected = forms.CharField(
        label=_("What is affected"),
        required=False,
        max_length=500,
        help_text=_("Services, systems or assets, separated by commas."),
    )
