"""Who must do what by when: the tenant's training settings, onboarding, module and policy-version
assignments, their upkeep when audiences, roles, modules or versions change, and renewals."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from accounts.models import User
from policies.models import Policy, PolicyVersion
from policies.policies import audience_q as policy_audience_q

from .. import acknowledging
from ..models import Assignment, Completion, Module, TrainingSettings, audience_includes
from ..policies import training_policy

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
        assert completion.expires_on is not None  # noqa: S101 — type narrowing for mypy, not a runtime check
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
