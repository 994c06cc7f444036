"""Reads of the Statement of Applicability, filtered by the reader's reach, at a fixed query count."""

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from risks.models import Risk
from risks.policies import risk_policy

from .models import Control
from .policies import control_policy


def controls_visible_to(
    reader: Any, *, q: str = "", theme: str = "", applicable: bool | None = None, status: str = ""
) -> QuerySet[Control]:
    """Controls with their owner and, as ``visible_risks``, the linked risks ``reader`` may see."""
    linked = Prefetch(
        "risks", queryset=risk_policy.visible(reader, Risk.objects.order_by("reference")), to_attr="visible_risks"
    )
    controls = control_policy.visible(reader, Control.objects.select_related("owner").prefetch_related(linked))
    if q:
        controls = controls.filter(Q(reference__icontains=q) | Q(title__icontains=q) | Q(justification__icontains=q))
    if theme:
        controls = controls.filter(theme=theme)
    if applicable is not None:
        controls = controls.filter(applicable=applicable)
    if status:
        controls = controls.filter(status=status)
    return controls.order_by("sort_key")


def control_for(reader: Any, pk: int) -> Control | None:
    return controls_visible_to(reader).filter(pk=pk).first()


def soa_summary(reader: Any) -> dict[str, int]:
    """How many controls there are, apply and are implemented (the whole SoA, not a filtered view)."""
    return control_policy.visible(reader, Control.objects.all()).aggregate(
        total=Count("pk"),
        applicable=Count("pk", filter=Q(applicable=True)),
        implemented=Count("pk", filter=Q(status=Control.Status.IMPLEMENTED)),
    )
