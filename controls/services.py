"""Writes on the Statement of Applicability: one control's applicability, audited."""

from collections.abc import Iterable
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

from .models import Control
from .policies import control_policy

TRACKED_FIELDS = ("applicable", "justification", "status")


def _snapshot(control: Control) -> dict[str, Any]:
    """What the history shows: field values, the owner by e-mail address, linked risks by reference."""
    values: dict[str, Any] = {name: getattr(control, name) for name in TRACKED_FIELDS}
    values["owner"] = control.owner.email if control.owner else None
    references = Risk.objects.filter(controls=control).order_by("reference").values_list("reference", flat=True)
    values["risks"] = ", ".join(references) or None
    return values


def _risks_to_link(control: Control, by: User, risks: Iterable[Risk]) -> list[Risk]:
    """``risks`` replace the links ``by`` can see; links to risks hidden from ``by`` stay as they are."""
    chosen = list(risks)
    visible = risk_policy.visible(by, Risk.objects.all())
    if visible.filter(pk__in=[risk.pk for risk in chosen]).count() != len({risk.pk for risk in chosen}):
        raise ValidationError({"risks": _("You can only link risks you can see.")})
    hidden = Risk.objects.filter(controls=control).exclude(pk__in=visible.values("pk"))
    return [*chosen, *hidden]


@transaction.atomic
def control_update(
    *,
    control: Control,
    by: User,
    applicable: bool | Unset = UNSET,
    justification: str | Unset = UNSET,
    status: str | Unset = UNSET,
    owner: User | Unset | None = UNSET,
    risks: Iterable[Risk] | Unset = UNSET,
) -> Control:
    """Change a control's applicability, justification, status, owner or linked risks (``risks``); what is not
    passed keeps its value."""
    if not control_policy.can_change(by, control):
        raise PermissionDenied
    # One editor at a time per control, and the change starts from what is stored.
    Control.objects.select_for_update().filter(pk=control.pk).values("pk").get()
    control.refresh_from_db()
    before = _snapshot(control)
    for name, value in given(applicable=applicable, justification=justification, status=status, owner=owner).items():
        setattr(control, name, value)
    control.full_clean()
    control.save()
    if risks is not UNSET:
        control.risks.set(_risks_to_link(control, by, risks))
    changes = changes_between(before, _snapshot(control))
    if changes:
        audit.record(actor=by, action="control.updated", obj=control, changes=changes)
    return control


def controls_reassign(user: User, to: User) -> int:
    """Offboarding: hand every control ``user`` owns to ``to``."""
    return ownership.hand_over(
        Control.objects.filter(owner=user), field="owner", user=user, to=to, action="control.owner_changed"
    )
