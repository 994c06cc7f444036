from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .models import Risk


class RiskForm(forms.ModelForm):
    class Meta:
        model = Risk
        fields = [
            "title",
            "description",
            "category",
            "threat",
            "vulnerability",
            "owner",
            "likelihood",
            "impact",
            "treatment",
            "status",
            "next_review",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "likelihood": forms.Select(choices=[(n, n) for n in range(1, 6)]),
            "impact": forms.Select(choices=[(n, n) for n in range(1, 6)]),
            "next_review": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = User.objects.filter(is_active=True).order_by("full_name", "email")


class RiskFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *Risk.Status.choices])
