from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from risks.models import Risk
from risks.policies import risk_policy

from .models import Control

YES_NO = [(True, _("Yes")), (False, _("No"))]


class ControlForm(forms.ModelForm):
    class Meta:
        model = Control
        fields = ["applicable", "justification", "status", "owner", "risks"]
        widgets = {
            "applicable": forms.Select(choices=YES_NO),
            "justification": forms.Textarea(attrs={"rows": 4}),
            "risks": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args: Any, editor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        owner.queryset = User.objects.filter(is_active=True).order_by("full_name", "email")
        risks = self.fields["risks"]
        assert isinstance(risks, forms.ModelMultipleChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        # Only risks the editor may see are offered; links to others are kept by the service.
        risks.queryset = risk_policy.visible(editor, Risk.objects.order_by("reference"))
        risks.help_text = _("Risks this control treats.")


class ControlFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False, choices=[("", _("All")), *Control.Theme.choices])
    applicable = forms.TypedChoiceField(
        label=_("Applicable"),
        required=False,
        choices=[("", _("All")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
    )
    status = forms.ChoiceField(
        label=_("Implementation status"), required=False, choices=[("", _("All")), *Control.Status.choices]
    )
