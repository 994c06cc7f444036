"""Forms of the training pages: a module with its quiz text, taking the quiz, the acknowledgement step,
assigning, settings and the list filters."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from policies.models import Policy, PolicyVersion

from .models import Module, TrainingSettings
from .quiz import QuestionData, quiz_parse

QUIZ_HELP = _(
    "One line per question and per answer: “Q: question”, then “[x] correct answer” or “[ ] wrong answer”. "
    "Each question needs at least two answers and at least one correct. Leave empty for no quiz."
)


class ModuleForm(forms.ModelForm):
    audience = forms.MultipleChoiceField(
        label=_("Audience"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave every role unticked for everyone, consultants (External) included."),
    )
    quiz = forms.CharField(
        label=_("Quiz"), required=False, widget=forms.Textarea(attrs={"rows": 12}), help_text=QUIZ_HELP
    )

    class Meta:
        model = Module
        fields = [
            "title",
            "summary",
            "audience",
            "onboarding",
            "content",
            "quiz",
            "pass_mark",
            "validity_months",
            "policies",
            "active",
        ]
        widgets = {"content": forms.Textarea(attrs={"rows": 16}), "policies": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        policies = self.fields["policies"]
        assert isinstance(policies, forms.ModelMultipleChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        policies.queryset = Policy.objects.order_by("title")

    def clean_quiz(self) -> list[QuestionData]:
        try:
            return quiz_parse(self.cleaned_data.get("quiz") or "")
        except ValidationError as error:
            raise ValidationError(error.messages)


class ModuleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    onboarding = forms.ChoiceField(
        label=_("Onboarding"), required=False, choices=[("", _("All")), ("yes", _("Yes")), ("no", _("No"))]
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All")), ("active", _("Active")), ("inactive", _("Inactive"))],
    )


class QuizForm(forms.Form):
    """One group of checkboxes per question (several answers may be correct)."""

    def __init__(self, *args: Any, module: Module, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(module.questions.prefetch_related("options"))
        for number, question in enumerate(self.questions, 1):
            self.fields[f"q{question.pk}"] = forms.MultipleChoiceField(
                label=f"{number}. {question.text}",
                choices=[(str(option.pk), option.text) for option in question.options.all()],
                widget=forms.CheckboxSelectMultiple,
                required=True,
                error_messages={"required": _("Tick at least one answer.")},
            )

    def answers(self) -> dict[int, list[int]]:
        return {
            question.pk: [int(v) for v in self.cleaned_data.get(f"q{question.pk}", [])] for question in self.questions
        }


class AcknowledgeForm(forms.Form):
    """The last step: "I have read and understood <policy> version N" for each version asked for."""

    def __init__(self, *args: Any, versions: list[PolicyVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.versions = versions
        for version in versions:
            self.fields[f"v{version.pk}"] = forms.BooleanField(
                label=_("I have read and understood %(policy)s version %(number)s")
                % {"policy": version.policy, "number": version.number},
                required=True,
                error_messages={"required": _("Tick this to confirm.")},
            )

    def acknowledged(self) -> list[PolicyVersion]:
        return [version for version in self.versions if self.cleaned_data.get(f"v{version.pk}")]


class AssignForm(forms.Form):
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))


class SettingsForm(forms.ModelForm):
    class Meta:
        model = TrainingSettings
        fields = ["onboarding_due_days"]
