"""Writes on security objectives and their key results: atomic, checked against the policy, audited.

Key-result events are recorded on their objective, so the objective's history tells the whole
story, removed key results included; the event's label names the key result.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

import audit
from accounts import ownership
from accounts.models import User
from audit.services import changes_between
from core.unset import UNSET, Unset, given
from risks.models import Risk
from risks.policies import risk_policy

from .models import KeyResult, Objective, decimal_text
from .policies import objective_policy

KEY_RESULT_FIELDS = ("metric", "baseline", "target", "current", "unit")


def _snapshot(objective: Objective) -> dict[str, Any]:
    """What the history shows: field values, the owner by e-mail address, linked risks by reference."""
    return {
        "title": objective.title,
        "description": objective.description,
        "period": objective.period,
        "status_override": objective.status_override,
        "owner": objective.owner.email,
        "risks": sorted(objective.risks.values_list("reference", flat=True)),
    }


def _key_result_snapshot(result: KeyResult) -> dict[str, Any]:
    values: dict[str, Any] = {"metric": result.metric, "unit": result.unit}
    for name in ("baseline", "target", "current"):
        values[name] = decimal_text(getattr(result, name))
    return values


def _key_result_label(result: KeyResult) -> str:
    return f"{result.objective} · {result.metric}"


def _risks_check(by: User, risks: Iterable[Risk]) -> list[Risk]:
    """Only risks ``by`` can see may be linked: nobody learns of a risk by linking it."""
    risks = list(risks)
    ids = {risk.pk for risk in risks}
    if risk_policy.visible(by, Risk.objects.filter(pk__in=ids)).count() != len(ids):
        raise ValidationError({"risks": _("You can only link risks you can see.")})
    return risks


@transaction.atomic
def objective_create(
    *,
    by: User,
    title: str,
    owner: User,
    period: str,
    description: str = "",
    status_override: str = "",
    risks: Iterable[Risk] = (),
) -> Objective:
    if not objective_policy.can_create(by):
        raise PermissionDenied
    linked = _risks_check(by, risks)
    objective = Objective(
        title=title.strip(),
        description=description.strip(),
        owner=owner,
        period=period.strip(),
        status_override=status_override,
    )
    objective.full_clean()
    objective.save()
    objective.risks.set(linked)
    filled = {name: value for name, value in _snapshot(objective).items() if value not in ("", None, [])}
    audit.record(actor=by, action="objective.created", obj=objective, changes=changes_between({}, filled))
    return objective


@transaction.atomic
def objective_update(
    *,
    objective: Objective,
    by: User,
    title: str | Unset = UNSET,
    description: str | Unset = UNSET,
    owner: User | Unset = UNSET,
    period: str | Unset = UNSET,
    status_override: str | Unset = UNSET,
    risks: Iterable[Risk] | Unset = UNSET,
) -> Objective:
    """Change the objective's fields and linked risks; what is not passed keeps its value."""
    if not objective_policy.can_change(by, objective):
        raise PermissionDenied
    before = _snapshot(objective)
    fields = given(
        title=title.strip() if title is not UNSET else UNSET,
        description=description.strip() if description is not UNSET else UNSET,
        owner=owner,
        period=period.strip() if period is not UNSET else UNSET,
        status_override=status_override,
    )
    for name, value in fields.items():
        setattr(objective, name, value)
    objective.full_clean()
    if risks is not UNSET:
        chosen = _risks_check(by, risks)
        # Links to risks the editor cannot see stay as they are: the editor never saw them to remove.
        hidden = objective.risks.exclude(pk__in=risk_policy.visible(by, Risk.objects.all()).values("pk"))
        objective.risks.set([*chosen, *hidden])
    objective.save()
    changes = changes_between(before, _snapshot(objective))
    if changes:
        audit.record(actor=by, action="objective.updated", obj=objective, changes=changes)
    return objective


@transaction.atomic
def key_result_add(
    *,
    objective: Objective,
    by: User,
    metric: str,
    baseline: Decimal,
    target: Decimal,
    current: Decimal,
    unit: str = "",
) -> KeyResult:
    if not objective_policy.can_change(by, objective):
        raise PermissionDenied
    result = KeyResult(
        objective=objective,
        metric=metric.strip(),
        baseline=baseline,
        target=target,
        current=current,
        unit=unit.strip(),
    )
    result.full_clean()
    result.save()
    filled = {name: value for name, value in _key_result_snapshot(result).items() if value != ""}
    audit.record(
        actor=by,
        action="objective.key_result_added",
        obj=objective,
        object_label=_key_result_label(result),
        changes=changes_between({}, filled),
    )
    return result


@transaction.atomic
def key_result_update(*, key_result: KeyResult, by: User, current: Decimal) -> KeyResult:
    """Record where a key result stands now (its owner may, as well as those who change objectives)."""
    if not objective_policy.can_update_progress(by, key_result.objective):
        raise PermissionDenied
    before = _key_result_snapshot(key_result)
    key_result.current = current
    key_result.full_clean()
    key_result.save(update_fields=["current", "updated_at"])
    changes = changes_between(before, _key_result_snapshot(key_result))
    if changes:
        audit.record(
            actor=by,
            action="objective.key_result_updated",
            obj=key_result.objective,
            object_label=_key_result_label(key_result),
            changes=changes,
        )
    return key_result


@transaction.atomic
def key_result_remove(*, key_result: KeyResult, by: User) -> None:
    objective = key_result.objective
    if not objective_policy.can_change(by, objective):
        raise PermissionDenied
    before = {name: value for name, value in _key_result_snapshot(key_result).items() if value != ""}
    label = _key_result_label(key_result)
    key_result.delete()
    audit.record(
        actor=by,
        action="objective.key_result_removed",
        obj=objective,
        object_label=label,
        changes=changes_between(before, {}),
    )


def objectives_reassign(user: User, to: User) -> int:
    """Offboarding: hand every objective ``user`` owns to ``to``, each hand-over on the record."""
    return ownership.hand_over(
        Objective.objects.filter(owner=user), field="owner", user=user, to=to, action="objective.owner_changed"
    )
