from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .models import Level, Risk

SCORE_CHOICES = [(n, n) for n in range(1, 6)]
SORTS = {
    "reference": "reference",
    "-score": "-score_value",
    "score": "score_value",
    "next_review": "next_review",
    "title": "title",
}


class AssetsField(forms.CharField):
    """Affected assets and services as one comma-separated line."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]  # the field cleans to a list, not str
        text = super().to_python(value) or ""
        return [part.strip() for part in str(text).split(",") if part.strip()]


class RiskForm(forms.ModelForm):
    assets = AssetsField(
        label=_("Affected assets and services"), required=False, help_text=_("Separate them with commas.")
    )

    class Meta:
        model = Risk
        fields = [
            "title",
            "description",
            "category",
            "assets",
            "threat",
            "vulnerability",
            "confidentiality",
            "integrity",
            "availability",
            "owner",
            "likelihood",
            "impact",
            "treatment",
            "residual_likelihood",
            "residual_impact",
            "status",
            "next_review",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "likelihood": forms.Select(choices=SCORE_CHOICES),
            "impact": forms.Select(choices=SCORE_CHOICES),
            "residual_likelihood": forms.Select(choices=[("", "—"), *SCORE_CHOICES]),
            "residual_impact": forms.Select(choices=[("", "—"), *SCORE_CHOICES]),
            "next_review": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, can_change_owner: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if can_change_owner:
            owner = self.fields["owner"]
            assert isinstance(owner, forms.ModelChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
            owner.queryset = User.objects.filter(is_active=True).order_by("full_name", "email")
        else:
            del self.fields["owner"]  # risk_policy.can_change_owner: not offered to a share holder
        # "Accepted" is set only by the acceptance step; an accepted risk keeps it as its current value.
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        if self.instance.status != Risk.Status.ACCEPTED:
            status.choices = [choice for choice in Risk.Status.choices if choice[0] != Risk.Status.ACCEPTED]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (cleaned.get("residual_likelihood") is None) != (cleaned.get("residual_impact") is None):
            raise forms.ValidationError(_("Give both residual likelihood and residual impact, or neither."))
        return cleaned


class RiskFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("All")), *Level.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *Risk.Status.choices])
    treatment = forms.ChoiceField(
        label=_("Treatment"), required=False, choices=[("", _("All")), *Risk.Treatment.choices]
    )
    overdue = forms.BooleanField(label=_("Review overdue"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("reference", _("Reference")),
            ("-score", _("Highest score first")),
            ("score", _("Lowest score first")),
            ("next_review", _("Next review")),
            ("title", _("Title")),
        ],
    )
    lik = forms.IntegerField(required=False, min_value=1, max_value=5, widget=forms.HiddenInput)
    imp = forms.IntegerField(required=False, min_value=1, max_value=5, widget=forms.HiddenInput)
    map = forms.ChoiceField(
        required=False, choices=[("inherent", "inherent"), ("residual", "residual")], widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        owner.queryset = User.objects.filter(risks_owned__isnull=False).distinct().order_by("full_name", "email")


class AcceptForm(forms.Form):
    justification = forms.CharField(
        label=_("Why is this residual risk acceptable?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class MatrixForm(forms.Form):
    acceptance_threshold = forms.IntegerField(label=_("Acceptance threshold (score)"), min_value=1, max_value=25)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, 6):
            self.fields[f"likelihood_{n}"] = forms.CharField(label=_("Likelihood %(n)d") % {"n": n}, max_length=40)
        for n in range(1, 6):
            self.fields[f"impact_{n}"] = forms.CharField(label=_("Impact %(n)d") % {"n": n}, max_length=40)
        for level, label in Level.choices:
            self.fields[f"band_{level}"] = forms.IntegerField(
                label=_("%(level)s up to score") % {"level": label}, min_value=1, max_value=25
            )


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        owner.queryset = User.objects.filter(is_active=True).order_by("full_name", "email")
