"""Writes on risks: create and update, audited, with the owner's object permissions kept in step."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import assign_perm, remove_perm

import audit
from accounts import ownership
from accounts.models import User
from actions.services import action_item_create, action_item_status_set, action_items_hand_over
from audit.services import changes_between
from core.unset import UNSET, Unset, given

from .models import Level, Risk, RiskMatrix, TreatmentAction
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
    "residual_likelihood",
    "residual_impact",
    "inherent_level",
    "residual_level",
    "assets",
    "confidentiality",
    "integrity",
    "availability",
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


# An acceptance is a decision about these scores; when they change, the decision must be taken again.
ACCEPTANCE_BASIS = ("residual_likelihood", "residual_impact")


ACCEPTANCE_ONLY_BY_STEP = gettext_lazy(
    "A risk is accepted only by Management or the CISO, with the acceptance on the risk page."
)


@transaction.atomic
def risk_create(
    *,
    by: User,
    title: str,
    owner: User,
    likelihood: int,
    impact: int,
    description: str = "",
    category: str = "",
    assets: list[str] | None = None,
    threat: str = "",
    vulnerability: str = "",
    confidentiality: bool = False,
    integrity: bool = False,
    availability: bool = False,
    treatment: str = Risk.Treatment.MITIGATE,
    residual_likelihood: int | None = None,
    residual_impact: int | None = None,
    status: str = Risk.Status.OPEN,
    next_review: dt.date | None = None,
) -> Risk:
    if not risk_policy.can_create(by):
        raise PermissionDenied
    if status == Risk.Status.ACCEPTED:
        raise ValidationError({"status": ACCEPTANCE_ONLY_BY_STEP})
    # One writer at a time per tenant takes the next reference (R-001, R-002, …).
    Risk.objects.select_for_update().order_by().values("pk").first()
    risk = Risk(
        title=title,
        owner=owner,
        likelihood=likelihood,
        impact=impact,
        description=description,
        category=category,
        assets=list(assets or []),
        threat=threat,
        vulnerability=vulnerability,
        confidentiality=confidentiality,
        integrity=integrity,
        availability=availability,
        treatment=treatment,
        residual_likelihood=residual_likelihood,
        residual_impact=residual_impact,
        status=status,
        next_review=next_review,
    )
    risk.reference = _next_reference()
    risk.levels_compute(RiskMatrix.current())
    risk.full_clean(exclude=["reference"])
    risk.save()
    _owner_permissions_give(risk, risk.owner)
    filled = {name: value for name, value in _snapshot(risk).items() if value not in ("", None)}
    audit.record(actor=by, action="risk.created", obj=risk, changes=changes_between({}, filled))
    return risk


@transaction.atomic
def risk_update(
    *,
    risk: Risk,
    by: User,
    title: str | Unset = UNSET,
    description: str | Unset = UNSET,
    category: str | Unset = UNSET,
    assets: list[str] | Unset = UNSET,
    threat: str | Unset = UNSET,
    vulnerability: str | Unset = UNSET,
    confidentiality: bool | Unset = UNSET,
    integrity: bool | Unset = UNSET,
    availability: bool | Unset = UNSET,
    owner: User | Unset = UNSET,
    likelihood: int | Unset = UNSET,
    impact: int | Unset = UNSET,
    treatment: str | Unset = UNSET,
    residual_likelihood: int | Unset | None = UNSET,
    residual_impact: int | Unset | None = UNSET,
    status: str | Unset = UNSET,
    next_review: dt.date | Unset | None = UNSET,
) -> Risk:
    """Edit a risk: the fields passed change, the others keep their value. Handing it to another owner is for
    its owner or a risk manager; setting "Accepted" is refused (only risk_accept accepts); changing the residual
    scores of an accepted risk withdraws the acceptance."""
    if not risk_policy.can_change(by, risk):
        raise PermissionDenied
    old_owner = risk.owner
    if owner is not UNSET and owner.pk != old_owner.pk and not risk_policy.can_change_owner(by, risk):
        raise PermissionDenied
    if status == Risk.Status.ACCEPTED and risk.status != Risk.Status.ACCEPTED:
        raise ValidationError({"status": ACCEPTANCE_ONLY_BY_STEP})
    fields = given(
        title=title,
        description=description,
        category=category,
        assets=assets,
        threat=threat,
        vulnerability=vulnerability,
        confidentiality=confidentiality,
        integrity=integrity,
        availability=availability,
        owner=owner,
        likelihood=likelihood,
        impact=impact,
        treatment=treatment,
        residual_likelihood=residual_likelihood,
        residual_impact=residual_impact,
        status=status,
        next_review=next_review,
    )
    before = _snapshot(risk)
    acceptance_before = _acceptance_snapshot(risk)
    for name, value in fields.items():
        setattr(risk, name, value)
    basis_changed = any(getattr(risk, name) != before[name] for name in ACCEPTANCE_BASIS)
    withdrawn = risk.accepted_at is not None and basis_changed
    if withdrawn:
        risk.acceptance_withdraw()
    risk.levels_compute(RiskMatrix.current())
    risk.full_clean(exclude=["reference"])
    risk.save()
    if risk.owner_id != old_owner.pk:
        risk_owner_move(risk=risk, old=old_owner, new=risk.owner)
    changes = changes_between(before, _snapshot(risk))
    if changes:
        audit.record(actor=by, action="risk.updated", obj=risk, changes=changes)
    if withdrawn:
        audit.record(
            actor=by,
            action="risk.acceptance_withdrawn",
            obj=risk,
            changes=changes_between(acceptance_before, _acceptance_snapshot(risk))
            | {"reason": [None, "residual scores changed"]},
        )
    return risk


def _acceptance_snapshot(risk: Risk) -> dict[str, Any]:
    return {
        "status": risk.status,
        "accepted_by": risk.accepted_by.email if risk.accepted_by else None,
        "until": risk.acceptance_expires.isoformat() if risk.acceptance_expires else None,
    }


def risk_owner_move(*, risk: Risk, old: User, new: User) -> None:
    for permission in OWNER_PERMISSIONS:
        remove_perm(permission, old, risk)
    _owner_permissions_give(risk, new)


def risks_reassign(user: User, to: User) -> int:
    """Offboarding: hand every risk ``user`` owns to ``to``, object permissions included."""
    return ownership.hand_over(
        Risk.objects.filter(owner=user),
        field="owner",
        user=user,
        to=to,
        action="risk.owner_changed",
        then=lambda risk: risk_owner_move(risk=risk, old=user, new=to),
    )


@transaction.atomic
def risk_accept(*, risk: Risk, by: User, justification: str) -> Risk:
    """Accept the residual risk until the next review (Management or the CISO)."""
    if not risk_policy.can_accept(by, risk):
        raise PermissionDenied
    justification = justification.strip()
    if not justification:
        raise ValidationError(_("Explain why the risk is accepted."))
    if risk.next_review is None or risk.next_review < timezone.localdate():
        raise ValidationError(_("Set a next review date in the future first: the acceptance lasts until then."))
    before = _snapshot(risk) | {"status": risk.status}
    risk.accepted_by = by
    risk.accepted_at = timezone.now()
    risk.acceptance_justification = justification
    risk.acceptance_expires = risk.next_review
    risk.status = Risk.Status.ACCEPTED
    risk.save(
        update_fields=[
            "accepted_by",
            "accepted_at",
            "acceptance_justification",
            "acceptance_expires",
            "status",
            "updated_at",
        ]
    )
    audit.record(
        actor=by,
        action="risk.accepted",
        obj=risk,
        changes=changes_between(before, _snapshot(risk))
        | {"justification": [None, justification], "until": [None, risk.acceptance_expires.isoformat()]},
    )
    return risk


def matrix_validate(
    *, likelihood_labels: list[str], impact_labels: list[str], bands: dict[str, int], threshold: int
) -> None:
    errors = []
    for name, labels in ((_("likelihood"), likelihood_labels), (_("impact"), impact_labels)):
        if len(labels) != 5 or not all(label.strip() for label in labels):
            errors.append(_("Give all five %(axis)s labels.") % {"axis": name})
    tops = [int(bands.get(level, 0)) for level in Level.values]
    if not all(1 <= top <= 25 for top in tops) or tops != sorted(set(tops)) or tops[-1] != 25:
        errors.append(_("Level bands must rise from Low to Critical, and Critical must reach 25."))
    if not 1 <= threshold <= 25:
        errors.append(_("The acceptance threshold must be a score from 1 to 25."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def matrix_update(
    *, by: User, likelihood_labels: list[str], impact_labels: list[str], bands: dict[str, int], threshold: int
) -> tuple[RiskMatrix, int]:
    """Change the matrix and recompute every risk's levels, each change on the record; returns risks changed."""
    if not risk_policy.can_edit_matrix(by):
        raise PermissionDenied
    matrix_validate(likelihood_labels=likelihood_labels, impact_labels=impact_labels, bands=bands, threshold=threshold)
    matrix = RiskMatrix.objects.select_for_update().get(pk=RiskMatrix.current().pk)
    before = {
        "likelihood_labels": matrix.likelihood_labels,
        "impact_labels": matrix.impact_labels,
        "bands": matrix.bands,
        "acceptance_threshold": matrix.acceptance_threshold,
    }
    matrix.likelihood_labels = [label.strip() for label in likelihood_labels]
    matrix.impact_labels = [label.strip() for label in impact_labels]
    matrix.bands = {level: int(bands[level]) for level in Level.values}
    matrix.acceptance_threshold = threshold
    matrix.save()
    after = {
        "likelihood_labels": matrix.likelihood_labels,
        "impact_labels": matrix.impact_labels,
        "bands": matrix.bands,
        "acceptance_threshold": matrix.acceptance_threshold,
    }
    changed = 0
    for risk in Risk.objects.select_for_update():
        old = (risk.inherent_level, risk.residual_level)
        risk.levels_compute(matrix)
        if (risk.inherent_level, risk.residual_level) != old:
            risk.save(update_fields=["inherent_level", "residual_level", "updated_at"])
            audit.record(
                actor=by,
                action="risk.levels_recomputed",
                obj=risk,
                changes=changes_between(
                    {"inherent_level": old[0], "residual_level": old[1]},
                    {"inherent_level": risk.inherent_level, "residual_level": risk.residual_level},
                ),
            )
            changed += 1
    audit.record(
        actor=by,
        action="risk_matrix.updated",
        obj=matrix,
        changes=changes_between(before, after) | {"risks_recomputed": [None, changed]},
    )
    return matrix, changed


@transaction.atomic
def action_add(*, risk: Risk, by: User, title: str, owner: User, due_date: dt.date) -> TreatmentAction:
    if not risk_policy.can_change(by, risk):
        raise PermissionDenied
    # The owner sees the risk while the action is open: computed in risk_policy.visible, nothing stored.
    return action_item_create(
        model=TreatmentAction,
        parent="risk",
        on=risk,
        by=by,
        title=title,
        owner=owner,
        due_date=due_date,
        audit_action="risk.action_added",
    )


@transaction.atomic
def action_status_set(*, action: TreatmentAction, by: User, status: str) -> TreatmentAction:
    """The action's owner, or whoever may change the risk, moves it along."""
    if not risk_policy.can_set_action_status(by, action):
        raise PermissionDenied
    return action_item_status_set(
        action=action, parent="risk", by=by, status=status, audit_action="risk.action_status_changed"
    )


def actions_reassign(user: User, to: User) -> int:
    """Offboarding: hand over open treatment actions (the risk's visibility follows the action by itself)."""
    return action_items_hand_over(
        actions=TreatmentAction.objects.all(), user=user, to=to, audit_action="risk.action_owner_changed", parent="risk"
    )
