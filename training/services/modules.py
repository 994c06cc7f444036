"""Writes of training modules and their quiz; audited."""

import hashlib
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

import audit
from accounts.models import User
from audit.services import changes_between
from core.unset import UNSET, Unset, given
from policies.models import Policy

from ..models import Assignment, Module, Option, Question
from ..policies import training_policy
from ..quiz import QuestionData, quiz_text

# --- modules ------------------------------------------------------------------------------


def _fingerprint(text: str, count: str) -> str:
    """Long texts go into the history as their size and a fingerprint: a change shows, the page stays readable."""
    return f"{count}, sha256 {hashlib.sha256(text.encode()).hexdigest()[:12]}"


def _snapshot(module: Module) -> dict[str, Any]:
    quiz = module.questions.prefetch_related("options")
    return {
        "title": module.title,
        "summary": module.summary,
        "audience": sorted(module.audience),
        "onboarding": module.onboarding,
        "content": _fingerprint(module.content, _("%(n)d characters") % {"n": len(module.content)}),
        "minimum_score": module.pass_mark,
        "validity_months": module.validity_months,
        "policies": sorted(module.policies.values_list("title", flat=True)),
        "active": module.active,
        "quiz": _fingerprint(quiz_text(quiz), _("%(n)d questions") % {"n": len(quiz)}) if quiz else "",
    }


def _questions_set(module: Module, questions: list[QuestionData]) -> None:
    """Replace the quiz (attempts keep their own score and answers)."""
    module.questions.all().delete()
    for position, data in enumerate(questions, 1):
        question = Question.objects.create(module=module, position=position, text=data.text)
        Option.objects.bulk_create(
            Option(question=question, position=n, text=text, correct=correct)
            for n, (text, correct) in enumerate(data.options, 1)
        )


def _questions_check(questions: list[QuestionData]) -> None:
    for index, question in enumerate(questions, 1):
        if not question.text.strip() or len(question.options) < 2 or not any(c for _t, c in question.options):
            raise ValidationError(
                _("Question %(n)d needs a text, at least two answer options and at least one correct one.")
                % {"n": index}
            )


@transaction.atomic
def module_create(
    *,
    by: User,
    title: str,
    content: str,
    summary: str = "",
    audience: Iterable[str] = (),
    onboarding: bool = False,
    pass_mark: int = 80,
    validity_months: int = 0,
    policies: Iterable[Policy] = (),
    active: bool = True,
    questions: list[QuestionData] | None = None,
) -> Module:
    if not training_policy.can_create_module(by):
        raise PermissionDenied
    questions = questions or []
    _questions_check(questions)
    module = Module(
        title=title.strip(),
        summary=summary.strip(),
        audience=sorted(set(audience)),
        onboarding=onboarding,
        content=content,
        pass_mark=pass_mark,
        validity_months=validity_months,
        active=active,
        created_by=by,
    )
    module.full_clean()
    module.save()
    module.policies.set(list(policies))
    _questions_set(module, questions)
    filled = {name: value for name, value in _snapshot(module).items() if value not in ("", None, [])}
    audit.record(actor=by, action="training.module_created", obj=module, changes=changes_between({}, filled))
    return module


@transaction.atomic
def module_update(
    *,
    module: Module,
    by: User,
    title: str | Unset = UNSET,
    summary: str | Unset = UNSET,
    audience: Iterable[str] | Unset = UNSET,
    onboarding: bool | Unset = UNSET,
    content: str | Unset = UNSET,
    pass_mark: int | Unset = UNSET,
    validity_months: int | Unset = UNSET,
    policies: Iterable[Policy] | Unset = UNSET,
    active: bool | Unset = UNSET,
    questions: list[QuestionData] | None = None,
) -> Module:
    """Change the module's fields, policies and quiz; what is not passed keeps its value."""
    if not training_policy.can_manage_modules(by):
        raise PermissionDenied
    before = _snapshot(module)
    fields = given(
        title=title.strip() if title is not UNSET else UNSET,
        summary=summary.strip() if summary is not UNSET else UNSET,
        audience=sorted(set(audience)) if audience is not UNSET else UNSET,
        onboarding=onboarding,
        content=content,
        pass_mark=pass_mark,
        validity_months=validity_months,
        active=active,
    )
    for name, value in fields.items():
        setattr(module, name, value)
    module.full_clean()
    module.save()
    if policies is not UNSET:
        module.policies.set(list(policies))
    if questions is not None:
        _questions_check(questions)
        new_text = quiz_text([_Unsaved(q.text, [_UnsavedOption(t, c) for t, c in q.options]) for q in questions])
        if new_text != quiz_text(module.questions.prefetch_related("options")):
            _questions_set(module, questions)
    changes = changes_between(before, _snapshot(module))
    if changes:
        audit.record(actor=by, action="training.module_updated", obj=module, changes=changes)
    if not module.active:
        # Nobody can open an inactive module: its open assignments would stay on their lists, overdue for ever.
        withdrawn = Assignment.objects.filter(module=module, status=Assignment.Status.OPEN).update(
            status=Assignment.Status.SUPERSEDED
        )
        if withdrawn:
            audit.record(
                actor=by, action="training.assignments_withdrawn", obj=module, changes={"people": [None, withdrawn]}
            )
    return module


class _UnsavedOption:
    def __init__(self, text: str, correct: bool) -> None:
        self.text, self.correct = text, correct


class _Unsaved:
    """Questions not stored yet, shaped like stored ones for ``quiz_text``."""

    def __init__(self, text: str, options: list[_UnsavedOption]) -> None:
        self.text, self._options = text, options

    @property
    def options(self) -> "_Unsaved":
        return self

    def all(self) -> list[_UnsavedOption]:
        return self._options
