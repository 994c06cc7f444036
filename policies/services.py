"""Writes on policy documents, their versions and acknowledgements: atomic, checked against the policy, audited.

Version life cycle: draft → approved → published → retired. Each step is one service; the model's
methods refuse any other transition, the database refuses a second published (or pending) version
per policy and any change to a text that left draft. Version events are recorded on their policy,
so the policy's history tells the whole story; the event's label names the version.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from accounts import ownership
from accounts.models import User
from accounts.roles import Role
from audit.services import changes_between
from core.unset import UNSET, Unset

from . import signals
from .models import Acknowledgement, Policy, PolicyVersion
from .policies import policy_policy


def _snapshot(policy: Policy) -> dict[str, Any]:
    return {
        "title": policy.title,
        "owner": policy.owner.email,
        "audience": sorted(policy.audience) or "everyone",
        "onboarding": policy.onboarding,
    }


def _audience_clean(audience: Iterable[str]) -> list[str]:
    chosen = sorted(set(audience))
    unknown = set(chosen) - set(Role.values)
    if unknown:
        raise ValidationError({"audience": _("Unknown roles: %(roles)s") % {"roles": ", ".join(sorted(unknown))}})
    return chosen


@transaction.atomic
def policy_create(
    *, by: User, title: str, owner: User, audience: Iterable[str] = (), onboarding: bool = False
) -> Policy:
    if not policy_policy.can_create(by):
        raise PermissionDenied
    policy = Policy(title=title.strip(), owner=owner, audience=_audience_clean(audience), onboarding=onboarding)
    policy.full_clean()
    policy.save()
    audit.record(actor=by, action="policy.created", obj=policy, changes=changes_between({}, _snapshot(policy)))
    return policy


@transaction.atomic
def policy_update(
    *,
    policy: Policy,
    by: User,
    title: str | Unset = UNSET,
    owner: User | Unset = UNSET,
    audience: Iterable[str] | Unset = UNSET,
    onboarding: bool | Unset = UNSET,
) -> Policy:
    """Change the policy document's fields; what is not passed keeps its value."""
    if not policy_policy.can_change(by, policy):
        raise PermissionDenied
    before = _snapshot(policy)
    if title is not UNSET:
        policy.title = title.strip()
    if owner is not UNSET:
        policy.owner = owner
    if audience is not UNSET:
        policy.audience = _audience_clean(audience)
    if onboarding is not UNSET:
        policy.onboarding = onboarding
    policy.full_clean()
    policy.save()
    changes = changes_between(before, _snapshot(policy))
    if changes:
        audit.record(actor=by, action="policy.updated", obj=policy, changes=changes)
    if "audience" in changes:
        # Heard by training/apps.py: assignments follow the new audience (superseded / newly asked), same transaction.
        signals.audience_changed.send(sender=Policy, policy=policy, by=by)
    return policy


def _label(version: PolicyVersion) -> str:
    return f"{version.policy} · v{version.number}"


def _locked(policy: Policy) -> Policy:
    """The policy row locked for this transaction: version numbers and publishing are taken in turn."""
    return Policy.objects.select_for_update().get(pk=policy.pk)


def _body_note(body: str) -> str:
    return _("%(count)s characters") % {"count": len(body)}


@transaction.atomic
def policy_version_create(*, policy: Policy, by: User, body: str, change_summary: str = "") -> PolicyVersion:
    """A new draft, numbered after the newest version; one draft or approved text at a time."""
    if not policy_policy.can_write_draft(by, policy):
        raise PermissionDenied
    _locked(policy)
    if policy.versions.filter(status__in=[PolicyVersion.Status.DRAFT, PolicyVersion.Status.APPROVED]).exists():
        raise ValidationError(_("This policy already has a version in the works: finish or discard it first."))
    number = (policy.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = PolicyVersion(
        policy=policy, number=number, body=body.strip(), change_summary=change_summary.strip(), created_by=by
    )
    version.full_clean()
    version.save()
    version.editors.add(by)
    audit.record(
        actor=by,
        action="policy.version_drafted",
        obj=policy,
        object_label=_label(version),
        changes={"version": [None, number], "change_summary": [None, version.change_summary]},
    )
    return version


@transaction.atomic
def policy_version_update(*, version: PolicyVersion, by: User, body: str, change_summary: str) -> PolicyVersion:
    """Edit a draft's text; approved, published and retired texts never change."""
    version = PolicyVersion.objects.select_for_update().select_related("policy").get(pk=version.pk)
    if not policy_policy.can_edit_draft(by, version):
        if version.status != PolicyVersion.Status.DRAFT:
            raise ValidationError(_("Only a draft can be edited; write a new version instead."))
        raise PermissionDenied
    before = {"body": _body_note(version.body), "change_summary": version.change_summary}
    body_changed = version.body != body.strip()
    version.body, version.change_summary = body.strip(), change_summary.strip()
    version.full_clean()
    version.save(update_fields=["body", "change_summary"])
    after = {"body": _body_note(version.body), "change_summary": version.change_summary}
    changes = changes_between(before, after)
    if body_changed and "body" not in changes:
        changes["body"] = [_("edited"), after["body"]]
    if changes:
        version.editors.add(by)  # they wrote part of it: they may not approve it
        audit.record(
            actor=by, action="policy.version_edited", obj=version.policy, object_label=_label(version), changes=changes
        )
    return version


@transaction.atomic
def policy_version_discard(*, version: PolicyVersion, by: User) -> None:
    """Delete a draft nobody approved (its text was never in force)."""
    version = PolicyVersion.objects.select_for_update().select_related("policy").get(pk=version.pk)
    if not policy_policy.can_edit_draft(by, version):
        if version.status != PolicyVersion.Status.DRAFT:
            raise ValidationError(_("Only a draft can be discarded."))
        raise PermissionDenied
    label, policy = _label(version), version.policy
    version.delete()
    audit.record(actor=by, action="policy.version_discarded", obj=policy, object_label=label)


@transaction.atomic
def policy_version_approve(*, version: PolicyVersion, by: User) -> PolicyVersion:
    """CISO or Management approve a draft they neither wrote nor edited; who and when are recorded."""
    version = PolicyVersion.objects.select_for_update().select_related("policy").get(pk=version.pk)
    if not policy_policy.can_approve_any(by):
        raise PermissionDenied
    if version.written_by(by):
        raise ValidationError(_("You wrote or edited this draft: someone else must approve it."))
    version.approve(by=by, at=timezone.now())
    version.save(update_fields=["status", "approved_by", "approved_at"])
    audit.record(
        actor=by,
        action="policy.version_approved",
        obj=version.policy,
        object_label=_label(version),
        changes={"status": [PolicyVersion.Status.DRAFT, version.status]},
    )
    return version


@transaction.atomic
def policy_version_publish(*, version: PolicyVersion, by: User) -> PolicyVersion:
    """Make an approved version the one in force; the one published before it is retired in the same step."""
    if not policy_policy.can_approve_any(by):
        raise PermissionDenied
    policy = _locked(version.policy)
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    version.policy = policy
    now = timezone.now()
    version.publish(at=now)  # refuses anything but an approved version before anything is written
    previous = PolicyVersion.objects.select_for_update().filter(policy=policy, status=PolicyVersion.Status.PUBLISHED)
    for old in previous:
        old.retire(at=now)
        old.save(update_fields=["status", "retired_at"])
        audit.record(
            actor=by,
            action="policy.version_retired",
            obj=policy,
            object_label=_label(old),
            changes={"status": [PolicyVersion.Status.PUBLISHED, old.status], "replaced_by": [None, version.number]},
        )
    version.save(update_fields=["status", "published_at"])
    audit.record(
        actor=by,
        action="policy.version_published",
        obj=policy,
        object_label=_label(version),
        changes={"status": [PolicyVersion.Status.APPROVED, version.status]},
    )
    # Heard by training/apps.py: everyone addressed is asked to acknowledge this version (same transaction).
    signals.version_published.send(sender=PolicyVersion, version=version, by=by)
    return version


@transaction.atomic
def policy_version_retire(*, version: PolicyVersion, by: User) -> PolicyVersion:
    """Withdraw the published version with no successor (the policy then has no text in force), or an
    approved version before it is published (it never comes into force; a new draft can be written)."""
    version = PolicyVersion.objects.select_for_update().select_related("policy").get(pk=version.pk)
    if not policy_policy.can_approve_any(by):
        raise PermissionDenied
    before = version.status
    version.retire(at=timezone.now())
    version.save(update_fields=["status", "retired_at"])
    audit.record(
        actor=by,
        action="policy.version_retired",
        obj=version.policy,
        object_label=_label(version),
        changes={"status": [before, version.status]},
    )
    # Heard by training/apps.py: open assignments of this version are superseded (same transaction).
    signals.version_retired.send(sender=PolicyVersion, version=version, by=by)
    return version


@transaction.atomic
def policy_acknowledge(*, user: User, version: PolicyVersion) -> Acknowledgement:
    """``user`` has read and understood ``version`` (published, addressed to them). A second call
    returns the first acknowledgement unchanged: its time stays the time they first acknowledged."""
    version = PolicyVersion.objects.select_related("policy").get(pk=version.pk)
    if version.status != PolicyVersion.Status.PUBLISHED:
        raise ValidationError(_("Only the published version of a policy can be acknowledged."))
    if not policy_policy.can_acknowledge(user, version):
        raise PermissionDenied
    existing = Acknowledgement.objects.filter(user=user, version=version).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            acknowledgement = Acknowledgement.objects.create(user=user, version=version)
    except IntegrityError:  # the same person acknowledged in another tab a moment ago
        return Acknowledgement.objects.get(user=user, version=version)
    audit.record(
        actor=user,
        action="policy.acknowledged",
        obj=version.policy,
        object_label=_label(version),
        changes={"version": [None, version.number]},
    )
    # Heard by training/apps.py: the person's open assignments of this version become done (same transaction).
    signals.version_acknowledged.send(sender=Acknowledgement, acknowledgement=acknowledgement)
    return acknowledgement


def policies_reassign(user: User, to: User) -> int:
    """Offboarding: hand every policy ``user`` owns to ``to``, each hand-over on the record."""
    return ownership.hand_over(
        Policy.objects.filter(owner=user), field="owner", user=user, to=to, action="policy.owner_changed"
    )
