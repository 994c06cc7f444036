"""Writes of the training app: modules and their quiz, assignments (onboarding, new policy versions, renewals),
quiz attempts and completions, the tenant's training settings. Each is atomic and audited."""

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from accounts.models import User
from audit.services import changes_between
from policies.models import Policy, PolicyVersion
from policies.policies import audience_q as policy_audience_q

from . import acknowledging
from .models import Assignment, Attempt, Completion, Module, Option, Question, TrainingSettings, audience_includes
from .policies import training_policy
from .quiz import QuestionData, quiz_text
from .quiz import score as quiz_score

MODULE_FIELDS = (
    "title",
    "summary",
    "audience",
    "onboarding",
    "content",
    "pass_mark",
    "validity_months",
    "policies",
    "active",
)
# A module due again is assigned this many days before the completion expires, due on the expiry day.
RENEWAL_NOTICE_DAYS = 30


# --- settings -----------------------------------------------------------------------------


@transaction.atomic
def settings_update(*, by: User, onboarding_due_days: int) -> TrainingSettings:
    if not training_policy.can_change_settings(by):
        raise PermissionDenied
    row = TrainingSettings.current()
    before = row.onboarding_due_days
    row.onboarding_due_days = onboarding_due_days
    row.full_clean()
    row.save()
    if before != onboarding_due_days:
        audit.record(
            actor=by,
            action="training.settings_changed",
            obj=row,
            changes={"onboarding_due_days": [before, onboarding_due_days]},
        )
    return row


def onboarding_due_date(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + dt.timedelta(days=TrainingSettings.current().onboarding_due_days)


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
def module_update(*, module: Module, by: User, questions: list[QuestionData] | None = None, **fields: Any) -> Module:
    if not training_policy.can_manage_modules(by):
        raise PermissionDenied
    unknown = set(fields) - set(MODULE_FIELDS)
    if unknown:
        raise TypeError(f"module_update() got unexpected fields: {sorted(unknown)}")
    before = _snapshot(module)
    policies = fields.pop("policies", None)
    for name in ("title", "summary"):
        if name in fields:
            fields[name] = fields[name].strip()
    if "audience" in fields:
        fields["audience"] = sorted(set(fields["audience"]))
    for name, value in fields.items():
        setattr(module, name, value)
    module.full_clean()
    module.save()
    if policies is not None:
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


# --- assignments --------------------------------------------------------------------------


def _open_exists(user: User, *, module: Module | None = None, version: PolicyVersion | None = None) -> bool:
    return Assignment.objects.filter(user=user, module=module, version=version, status=Assignment.Status.OPEN).exists()


def _valid_completion_exists(user: User, module: Module, today: dt.date) -> bool:
    return (
        Completion.objects.filter(user=user, module=module)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=today))
        .exists()
    )


def _assign_module(
    user: User, module: Module, *, due: dt.date, reason: str, today: dt.date, by: User | None
) -> Assignment | None:
    """A new open assignment, unless one is open already or a completion is still valid."""
    if _open_exists(user, module=module) or _valid_completion_exists(user, module, today):
        return None
    assignment = Assignment.objects.create(user=user, module=module, due_date=due, reason=reason)
    audit.record(
        actor=by,
        actor_label="" if by else "training",
        action="training.assigned",
        obj=assignment,
        changes={"due_date": [None, due.isoformat()], "reason": [None, reason]},
    )
    return assignment


def _assign_version(
    user: User, version: PolicyVersion, *, due: dt.date, reason: str, by: User | None
) -> Assignment | None:
    """Acknowledge ``version``: older open acknowledgements of the same policy are superseded (the old
    acknowledgement, if any, stays on record); nothing new when already acknowledged or open."""
    from policies.models import Acknowledgement

    Assignment.objects.filter(user=user, version__policy_id=version.policy_id, status=Assignment.Status.OPEN).exclude(
        version=version
    ).update(status=Assignment.Status.SUPERSEDED)
    if _open_exists(user, version=version) or Acknowledgement.objects.filter(user=user, version=version).exists():
        return None
    assignment = Assignment.objects.create(user=user, version=version, due_date=due, reason=reason)
    audit.record(
        actor=by,
        actor_label="" if by else "training",
        action="training.assigned",
        obj=assignment,
        changes={"due_date": [None, due.isoformat()], "reason": [None, reason]},
    )
    return assignment


@transaction.atomic
def onboarding_assign(*, user: User, today: dt.date | None = None) -> list[Assignment]:
    """A newcomer's onboarding set: the current version of each onboarding policy addressed to them and the
    active onboarding modules of their audience (everyone's, or External's for consultants), due in the
    tenant's onboarding time."""
    today = today or timezone.localdate()
    due = onboarding_due_date(today)
    roles = list(user.role_names)
    created: list[Assignment | None] = []
    for policy in Policy.objects.filter(onboarding=True).order_by("title"):
        if policy.audience and not set(policy.audience) & set(roles):
            continue
        version = acknowledging.current_version(policy)
        if version is not None:
            created.append(_assign_version(user, version, due=due, reason=Assignment.Reason.ONBOARDING, by=None))
    for module in Module.objects.filter(onboarding=True, active=True).order_by("title"):
        if module.is_for(roles):
            created.append(
                _assign_module(user, module, due=due, reason=Assignment.Reason.ONBOARDING, today=today, by=None)
            )
    return [assignment for assignment in created if assignment is not None]


@transaction.atomic
def module_assign(*, module: Module, by: User, due_date: dt.date, today: dt.date | None = None) -> int:
    """Assign ``module`` to every active person of its audience who has neither an open assignment nor a valid
    completion of it; returns how many were assigned."""
    if not training_policy.can_assign(by):
        raise PermissionDenied
    today = today or timezone.localdate()
    if not module.active:
        raise ValidationError(_("Activate the module before assigning it."))
    if due_date < today:
        raise ValidationError(_("The due date cannot be in the past."))
    people = User.objects.filter(is_active=True).prefetch_related("groups").order_by("pk")
    if module.audience:
        people = people.filter(groups__name__in=module.audience).distinct()
    count = 0
    for person in people:
        if _assign_module(person, module, due=due_date, reason=Assignment.Reason.ASSIGNED, today=today, by=by):
            count += 1
    return count


@transaction.atomic
def version_assign(
    *,
    version: PolicyVersion,
    by: User | None = None,
    today: dt.date | None = None,
    reason: str = Assignment.Reason.NEW_VERSION,
) -> int:
    """A newly published version: everyone in the policy's audience acknowledges it anew (their open
    assignments of older versions are superseded; earlier acknowledgements stay, showing their version).

    A fixed number of queries whatever the audience: publishing must not slow down with the headcount.
    """
    from policies.models import Acknowledgement

    due = onboarding_due_date(today)
    people = acknowledging.audience_users(version.policy).values("pk")
    superseded = (
        Assignment.objects.filter(user__in=people, version__policy_id=version.policy_id, status=Assignment.Status.OPEN)
        .exclude(version=version)
        .update(status=Assignment.Status.SUPERSEDED)
    )
    done = set(Acknowledgement.objects.filter(version=version).values_list("user_id", flat=True))
    done |= set(
        Assignment.objects.filter(version=version, status=Assignment.Status.OPEN).values_list("user_id", flat=True)
    )
    created = Assignment.objects.bulk_create(
        Assignment(user_id=row["pk"], version=version, due_date=due, reason=reason)
        for row in people
        if row["pk"] not in done
    )
    if created or superseded:
        audit.record(
            actor=by,
            actor_label="" if by else "training",
            action="training.acknowledgement_assigned",
            obj=version.policy,
            object_label=f"{version.policy} v{version.number}",
            changes={
                "people": [None, len(created)],
                "due_date": [None, due.isoformat()],
                "superseded": [None, superseded],
            },
        )
    return len(created)


@transaction.atomic
def policy_audience_sync(*, policy: Policy, by: User | None = None) -> int:
    """A policy's audience changed: open acknowledgements of people it no longer addresses are superseded (they
    could not acknowledge, and would stay overdue for ever), and the newly addressed are asked to acknowledge
    the version in force. Returns how many were newly asked."""
    people = acknowledging.audience_users(policy).values("pk")  # active people only: leave the others' as they are
    withdrawn = (
        Assignment.objects.filter(version__policy_id=policy.pk, status=Assignment.Status.OPEN, user__is_active=True)
        .exclude(user__in=people)
        .update(status=Assignment.Status.SUPERSEDED)
    )
    if withdrawn:
        audit.record(
            actor=by,
            actor_label="" if by else "training",
            action="training.acknowledgement_withdrawn",
            obj=policy,
            changes={"people": [None, withdrawn]},
        )
    version = acknowledging.current_version(policy)
    if version is None:
        return 0
    return version_assign(version=version, by=by, reason=Assignment.Reason.ASSIGNED)


@transaction.atomic
def user_roles_sync(*, user: User, by: User | None = None, today: dt.date | None = None) -> int:
    """A person's roles changed: their open acknowledgements of policies no longer addressed to them are
    superseded (they could not acknowledge them any more), and the version in force of each policy now addressed
    to them that they have not acknowledged is assigned. Returns how many were assigned."""
    addressed = Policy.objects.filter(policy_audience_q(user))
    withdrawn = (
        Assignment.objects.filter(user=user, status=Assignment.Status.OPEN, version__isnull=False)
        .exclude(version__policy__in=addressed)
        .update(status=Assignment.Status.SUPERSEDED)
    )
    if withdrawn:
        audit.record(
            actor=by,
            actor_label="" if by else "training",
            action="training.acknowledgement_withdrawn",
            obj=user,
            changes={"assignments": [None, withdrawn]},
        )
    due = onboarding_due_date(today)
    created = 0
    for policy in addressed.order_by("title"):
        version = acknowledging.current_version(policy)
        if version is not None and _assign_version(user, version, due=due, reason=Assignment.Reason.ASSIGNED, by=by):
            created += 1
    return created


@transaction.atomic
def version_withdrawn(*, version: PolicyVersion, by: User | None = None) -> int:
    """The version was retired with no successor: nobody can acknowledge it any more, so its open assignments are
    superseded (they would stay overdue for ever). Returns how many."""
    withdrawn = Assignment.objects.filter(version=version, status=Assignment.Status.OPEN).update(
        status=Assignment.Status.SUPERSEDED
    )
    if withdrawn:
        audit.record(
            actor=by,
            actor_label="" if by else "training",
            action="training.acknowledgement_withdrawn",
            obj=version.policy,
            object_label=f"{version.policy} v{version.number}",
            changes={"people": [None, withdrawn]},
        )
    return withdrawn


@transaction.atomic
def acknowledgement_recorded(*, acknowledgement: Any) -> int:
    """A person acknowledged a version (here or on the policy page): their open assignments of it are done."""
    return Assignment.objects.filter(
        user_id=acknowledgement.user_id, version_id=acknowledgement.version_id, status=Assignment.Status.OPEN
    ).update(status=Assignment.Status.DONE, completed_at=timezone.now(), acknowledgement=acknowledgement)


@transaction.atomic
def renewals_assign(*, today: dt.date | None = None) -> int:
    """Modules due again: a completion that expires within RENEWAL_NOTICE_DAYS gets a new assignment due on
    its expiry day (once; none while one is open or a later completion is valid; none for a person the
    module no longer addresses)."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=RENEWAL_NOTICE_DAYS)
    expiring = (
        Completion.objects.filter(expires_on__isnull=False, expires_on__lte=horizon, user__is_active=True)
        .filter(module__active=True)
        .select_related("module", "user")
        .prefetch_related("user__groups")
        .order_by("user_id", "module_id", "-expires_on")
        .distinct("user_id", "module_id")
    )
    count = 0
    for completion in expiring:
        user, module = completion.user, completion.module
        if not audience_includes(module.audience, user.role_names):
            continue
        later = Completion.objects.filter(user=user, module=module, completed_at__gt=completion.completed_at)
        if later.exists() or _open_exists(user, module=module):
            continue
        assert completion.expires_on is not None
        Assignment.objects.create(
            user=user, module=module, due_date=completion.expires_on, reason=Assignment.Reason.RENEWAL
        )
        audit.record(
            actor=None,
            actor_label="training",
            action="training.assigned",
            obj=module,
            object_label=f"{module} – {user}",
            changes={"due_date": [None, completion.expires_on.isoformat()], "reason": [None, "renewal"]},
        )
        count += 1
    return count


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
