"""Writes on risks: create and update, audited, with the owner's object permissions kept in step."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr
from guardian.shortcuts import assign_perm, remove_perm

import audit
from accounts.models import User
from audit.services import changes_between

from .models import Risk
from .policies import risk_policy

OWNER_PERMISSIONS = ("risks.view_risk", "risks.change_risk")
TRACKED_FIELDS = (
    "title",
    "description",
    "category",
    "threat",
    "vulnerability",
    "likelihood",
    "impact",
    "treatment",
    "status",
    "next_review",
)


def _next_reference() -> str:
    last = Risk.objects.aggregate(n=Max(Cast(Substr("reference", 3), output_field=IntegerField())))["n"]
    return f"R-{(last or 0) + 1:03d}"


def _snapshot(risk: Risk) -> dict[str, Any]:
    """What the history shows: field values, the owner by e-mail address."""
    values = {name: getattr(risk, name) for name in TRACKED_FIELDS}
    values["owner"] = risk.owner.email
    return values


def _owner_permissions_give(risk: Risk, owner: User) -> None:
    for permission in OWNER_PERMISSIONS:
        assign_perm(permission, owner, risk)


@transaction.atomic
def risk_create(*, by: User, **fields: Any) -> Risk:
    if not risk_policy.can_create(by):
        raise PermissionDenied
    # One writer at a time per tenant takes the next reference (R-001, R-002, …).
    Risk.objects.select_for_update().order_by().values("pk").first()
    risk = Risk(**fields)
    risk.reference = _next_reference()
    risk.full_clean(exclude=["reference"])
    risk.save()
    _owner_permissions_give(risk, risk.owner)
    filled = {name: value for name, value in _snapshot(risk).items() if value not in ("", None)}
    audit.record(actor=by, action="risk.created", obj=risk, changes=changes_between({}, filled))
    return risk


@transaction.atomic
def risk_update(*, risk: Risk, by: User, **fields: Any) -> Risk:
    if not risk_policy.can_change(by, risk):
        raise PermissionDenied
    before = _snapshot(risk)
    old_owner = risk.owner
    for name, value in fields.items():
        setattr(risk, name, value)
    risk.full_clean(exclude=["reference"])
    risk.save()
    if risk.owner_id != old_owner.pk:
        risk_owner_move(risk=risk, old=old_owner, new=risk.owner)
    changes = changes_between(before, _snapshot(risk))
    if changes:
        audit.record(actor=by, action="risk.updated", obj=risk, changes=changes)
    return risk


def risk_owner_move(*, risk: Risk, old: User, new: User) -> None:
    for permission in OWNER_PERMISSIONS:
        remove_perm(permission, old, risk)
    _owner_permissions_give(risk, new)


def risks_reassign(user: User, to: User) -> int:
    """Offboarding: hand every risk ``user`` owns to ``to``, object permissions included."""
    count = 0
    for risk in Risk.objects.filter(owner=user):
        risk.owner = to
        risk.save(update_fields=["owner", "updated_at"])
        risk_owner_move(risk=risk, old=user, new=to)
        audit.record(
            actor=None,
            actor_label="offboarding",
            action="risk.owner_changed",
            obj=risk,
            changes={"owner": [user.email, to.email]},
        )
        count += 1
    return count
