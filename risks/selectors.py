"""Reads of the risk register, filtered by the reader's reach."""

import datetime as dt
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from sharing.selectors import access_reasons

from .forms import SORTS
from .models import Risk, RiskImport, TreatmentAction
from .policies import risk_policy


def risks_visible_to(reader: Any, filters: dict[str, Any] | None = None) -> QuerySet[Risk]:
    filters = filters or {}
    risks = risk_policy.visible(reader, Risk.objects.select_related("owner"))
    if filters.get("q"):
        q = filters["q"]
        risks = risks.filter(Q(title__icontains=q) | Q(reference__icontains=q) | Q(description__icontains=q))
    if filters.get("owner"):
        risks = risks.filter(owner=filters["owner"])
    if filters.get("level"):
        risks = risks.filter(inherent_level=filters["level"])
    if filters.get("status"):
        risks = risks.filter(status=filters["status"])
    if filters.get("treatment"):
        risks = risks.filter(treatment=filters["treatment"])
    if filters.get("overdue"):
        risks = risks.filter(next_review__lt=timezone.localdate()).exclude(status=Risk.Status.CLOSED)
    if filters.get("lik") and filters.get("imp"):
        if filters.get("map") == "residual":
            risks = risks.filter(residual_likelihood=filters["lik"], residual_impact=filters["imp"])
        else:
            risks = risks.filter(likelihood=filters["lik"], impact=filters["imp"])
    order = SORTS.get(filters.get("sort") or "reference", "reference")
    return risks.annotate(score_value=F("likelihood") * F("impact")).order_by(order, "reference")


def risk_for(reader: Any, pk: int) -> Risk | None:
    return risk_policy.visible(reader, Risk.objects.select_related("owner", "accepted_by")).filter(pk=pk).first()


def overdue_date() -> dt.date:
    return timezone.localdate()


def access_reasons_of(risk: Risk) -> list[dict[str, Any]]:
    """Who can see ``risk`` and why: the shared reasons, plus the owners of its open treatment actions
    (their access is computed from the action, so no stored permission would show it)."""
    reasons = access_reasons(risk, risk.owner)
    owners = {
        action.owner
        for action in risk.actions.exclude(status=TreatmentAction.Status.DONE).select_related("owner")
        if action.owner_id != risk.owner_id
    }
    for owner in sorted(owners, key=str):
        reasons.append({"who": str(owner), "why": "action", "permission": "view"})
    return reasons


def risk_import_of(reader: Any, pk: Any) -> RiskImport | None:
    """An import only its uploader sees (while they may still import): None for anyone else."""
    if not risk_policy.can_create(reader):
        return None
    return RiskImport.objects.filter(created_by=reader, pk=pk).first()
