"""Forms of the policies pages: the policy document, a version's text, the list filters."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role

from .models import Policy, PolicyVersion


class PolicyForm(forms.ModelForm):
    EVERYONE, ROLES = "everyone", "roles"

    audience_scope = forms.ChoiceField(
        label=_("Who must read it"),
        choices=[(EVERYONE, _("Everyone, employees and consultants")), (ROLES, _("Only the roles ticked below"))],
        widget=forms.RadioSelect,
        initial=EVERYONE,
    )
    audience = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Policy
        fields = ["title", "owner", "audience", "onboarding"]
        help_texts = {"onboarding": _("Newcomers acknowledge it as part of their onboarding.")}

    field_order = ["title", "owner", "audience_scope", "audience", "onboarding"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        owner.queryset = User.objects.filter(is_active=True).order_by("full_name", "email")
        if self.instance.pk and self.instance.audience:
            self.initial["audience_scope"] = self.ROLES

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("audience_scope") == self.EVERYONE:
            data["audience"] = []
        elif data.get("audience_scope") == self.ROLES and not data.get("audience"):
            self.add_error("audience", _("Tick at least one role, or choose everyone."))
        return data


class VersionForm(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = ["body", "change_summary"]
        widgets = {"body": forms.Textarea(attrs={"rows": 22, "class": "policy-editor"})}
        help_texts = {
            "body": _(
                "Markdown: # headings, **bold**, lists, tables and links (http, https, mailto). "
                "HTML tags are shown as text."
            ),
            "change_summary": _("One line for readers: what is new compared with the version in force."),
        }


class PolicyFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("published", _("In force")),
            ("unpublished", _("No version in force")),
            ("pending", _("New version in the works")),
        ],
    )


class AcknowledgementFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    state = forms.ChoiceField(
        label=_("Acknowledged"),
        required=False,
        choices=[
            ("", _("All")),
            ("current", _("The version in force")),
            ("older", _("Only an earlier version")),
            ("never", _("Never")),
        ],
    )
