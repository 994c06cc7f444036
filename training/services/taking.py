"""Taking a module: quiz attempts, the acknowledgement step and completion."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from accounts.models import User
from policies.models import PolicyVersion

from .. import acknowledging
from ..models import Assignment, Attempt, Completion, Module
from ..policies import training_policy
from ..quiz import score as quiz_score
from .assignments import _open_exists, acknowledgement_recorded

# --- taking a module ----------------------------------------------------------------------


def _pending_pass(user: User, module: Module) -> Attempt | None:
    """The passed attempt that still waits for the acknowledgement step (none once completed)."""
    return Attempt.objects.filter(user=user, module=module, passed=True, completion__isnull=True).first()


@transaction.atomic
def attempt_submit(*, user: User, module: Module, answers: Mapping[int, Iterable[int]]) -> Attempt:
    """Score a quiz. Every attempt is kept, failed ones with their score; a failed one may be retried."""
    if not training_policy.can_take(user, module):
        raise PermissionDenied
    questions = list(module.questions.prefetch_related("options"))
    if not questions:
        raise ValidationError(_("This module has no quiz."))
    correct = {q.pk: {o.pk for o in q.options.all() if o.correct} for q in questions}
    known = {q.pk: {o.pk for o in q.options.all()} for q in questions}
    given = {int(q): {int(o) for o in options} & known.get(int(q), set()) for q, options in answers.items()}
    given = {q: options for q, options in given.items() if q in known}
    unanswered = [n for n, q in enumerate(questions, 1) if not given.get(q.pk)]
    if unanswered:
        raise ValidationError(
            _("Answer every question (not answered: %(numbers)s).") % {"numbers": ", ".join(map(str, unanswered))}
        )
    result = quiz_score(correct, given)
    attempt = Attempt.objects.create(
        user=user,
        module=module,
        score=result,
        pass_mark=module.pass_mark,
        passed=result >= module.pass_mark,
        answers={str(q): sorted(options) for q, options in given.items()},
    )
    audit.record(
        actor=user,
        action="training.quiz_passed" if attempt.passed else "training.quiz_failed",
        obj=module,
        changes={"score": [None, result], "minimum_score": [None, module.pass_mark]},
    )
    return attempt


def versions_to_acknowledge(module: Module, user: User) -> list[PolicyVersion]:
    """The current published version of each policy linked to ``module`` and addressed to ``user``."""
    versions = []
    roles = set(user.role_names)
    for policy in module.policies.order_by("title"):
        if policy.audience and not set(policy.audience) & roles:
            continue
        version = acknowledging.current_version(policy)
        if version is not None:
            version.policy = policy
            versions.append(version)
    return versions


def ready_to_complete(user: User, module: Module) -> bool:
    """Whether the quiz step is behind ``user`` (passed and not yet used, or no quiz)."""
    return not module.questions.exists() or _pending_pass(user, module) is not None


def _completion_still_standing(
    user: User, module: Module, required: list[PolicyVersion], today: dt.date
) -> Completion | None:
    """The latest completion when completing again would record nothing new: it is still valid, it covers the
    same policy versions and nothing asks for the module again (no open assignment)."""
    latest = Completion.objects.filter(user=user, module=module).prefetch_related("versions").first()
    if latest is None or not latest.is_valid(today) or _open_exists(user, module=module):
        return None
    if {version.pk for version in latest.versions.all()} != {version.pk for version in required}:
        return None
    return latest


@transaction.atomic
def module_complete(*, user: User, module: Module, acknowledged: Iterable[PolicyVersion]) -> Completion:
    """The last step: the person acknowledges the current version of each linked policy ("I have read and
    understood version 3"); the completion keeps the time, the score and those versions. Open assignments of
    the module and of those versions are done."""
    if not training_policy.can_take(user, module):
        raise PermissionDenied
    # One completion at a time per person: a double-clicked or resent form waits here, then finds the first one.
    User.objects.select_for_update().filter(pk=user.pk).first()
    attempt = _pending_pass(user, module)
    if module.questions.exists() and attempt is None:
        raise ValidationError(_("Pass the quiz first."))
    required = versions_to_acknowledge(module, user)
    confirmed = {version.pk for version in acknowledged}
    missing = [version for version in required if version.pk not in confirmed]
    if missing:
        raise ValidationError(
            _("Confirm that you have read and understood %(items)s.")
            % {"items": ", ".join(f"{v.policy} {_('version')} {v.number}" for v in missing)}
        )
    today = timezone.localdate()
    if attempt is None:
        repeated = _completion_still_standing(user, module, required, today)
        if repeated is not None:
            return repeated
    completion = Completion.objects.create(
        user=user,
        module=module,
        score=attempt.score if attempt else None,
        expires_on=module.expiry_after(today),
    )
    completion.versions.set(required)
    if attempt is not None:
        attempt.completion = completion
        attempt.save(update_fields=["completion"])
    for version in required:
        acknowledgement = acknowledging.acknowledge(user=user, version=version)
        acknowledgement_recorded(acknowledgement=acknowledgement)
    Assignment.objects.filter(user=user, module=module, status=Assignment.Status.OPEN).update(
        status=Assignment.Status.DONE, completed_at=completion.completed_at, completion=completion
    )
    audit.record(
        actor=user,
        action="training.module_completed",
        obj=module,
        changes={
            "score": [None, completion.score],
            "acknowledged": [None, [f"{v.policy} v{v.number}" for v in required]],
            "valid_until": [None, completion.expires_on.isoformat() if completion.expires_on else None],
        },
    )
    return completion


@transaction.atomic
def version_acknowledge(*, user: User, assignment: Assignment) -> Any:
    """Acknowledge the policy version an assignment asks for (from the training pages)."""
    if assignment.user_id != user.pk or assignment.version is None:
        raise PermissionDenied
    version = assignment.version
    if version.status != PolicyVersion.Status.PUBLISHED:
        raise ValidationError(_("This version is no longer the published one."))
    acknowledgement = acknowledging.acknowledge(user=user, version=version)
    acknowledgement_recorded(acknowledgement=acknowledgement)
    return acknowledgement
