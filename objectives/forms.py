"""Forms of the objectives pages: the objective, a key result, a current value, the list filters."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from risks.models import Risk
from risks.policies import risk_policy

from .models import KeyResult, Objective
from .selectors import owners_visible_to, periods_visible_to


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = ["title", "description", "period", "owner", "risks", "status_override"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "risks": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, editor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        owner.queryset = User.objects.filter(is_active=True).order_by("full_name", "email")
        risks = self.fields["risks"]
        assert isinstance(risks, forms.ModelMultipleChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        # Only the risks the editor can see are offered; links to others are kept by the service.
        risks.queryset = risk_policy.visible(editor, Risk.objects.order_by("reference"))
        override = self.fields["status_override"]
        assert isinstance(override, forms.ChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        override.choices = [("", _("Follow the key results")), *Objective.Status.choices]


class KeyResultForm(forms.ModelForm):
    class Meta:
        model = KeyResult
        fields = ["metric", "baseline", "target", "current", "unit"]


class CurrentValueForm(forms.Form):
    current = forms.DecimalField(label=_("Current value"), max_digits=14, decimal_places=4)


class ObjectiveFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    period = forms.ChoiceField(label=_("Period"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *Objective.Status.choices])
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("All"))

    def __init__(self, *args: Any, reader: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period = self.fields["period"]
        assert isinstance(period, forms.ChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        period.choices = [("", _("All")), *((value, value) for value in periods_visible_to(reader))]
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        owner.queryset = owners_visible_to(reader)
