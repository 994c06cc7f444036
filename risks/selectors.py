"""Reads of the risk register, filtered by the reader's reach."""

from typing import Any

from django.db.models import Q, QuerySet

from .models import Risk
from .policies import risk_policy


def risks_visible_to(reader: Any, *, q: str = "", status: str = "") -> QuerySet[Risk]:
    risks = risk_policy.visible(reader, Risk.objects.select_related("owner"))
    if q:
        risks = risks.filter(Q(title__icontains=q) | Q(reference__icontains=q) | Q(description__icontains=q))
    if status:
        risks = risks.filter(status=status)
    return risks.order_by("reference")


def risk_for(reader: Any, pk: int) -> Risk | None:
    return risks_visible_to(reader).filter(pk=pk).first()
