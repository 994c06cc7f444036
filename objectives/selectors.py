"""Reads of security objectives, filtered by the reader's reach, at a fixed query count."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from risks.models import Risk
from risks.policies import risk_policy

from .models import KeyResult, Objective
from .policies import objective_policy


def objectives_visible_to(reader: Any, filters: dict[str, Any] | None = None) -> list[Objective]:
    """The objectives ``reader`` may see, with owner and key results loaded, filtered.

    Status follows from the key results (and the override) in Python, in one place, so the
    status filter applies to the loaded rows; a tenant has tens of objectives, not thousands.
    """
    filters = filters or {}
    objectives = objective_policy.visible(
        reader, Objective.objects.select_related("owner").prefetch_related("key_results")
    )
    if filters.get("q"):
        objectives = objectives.filter(title__icontains=filters["q"])
    if filters.get("period"):
        objectives = objectives.filter(period=filters["period"])
    if filters.get("owner"):
        objectives = objectives.filter(owner=filters["owner"])
    rows = list(objectives)
    if filters.get("status"):
        rows = [objective for objective in rows if objective.status == filters["status"]]
    return rows


def objective_for(reader: Any, pk: int) -> Objective | None:
    """One objective with its key results and, as ``visible_risks``, the linked risks ``reader`` may see."""
    linked = Prefetch(
        "risks", queryset=risk_policy.visible(reader, Risk.objects.order_by("reference")), to_attr="visible_risks"
    )
    objectives = Objective.objects.select_related("owner").prefetch_related("key_results", linked)
    return objective_policy.visible(reader, objectives).filter(pk=pk).first()


def key_result_of(objective: Objective, pk: int) -> KeyResult | None:
    """One key result of ``objective`` (an objective the caller already found within the reader's reach)."""
    result = KeyResult.objects.filter(objective=objective, pk=pk).first()
    if result is not None:
        result.objective = objective
    return result


def periods_visible_to(reader: Any) -> list[str]:
    objectives = objective_policy.visible(reader, Objective.objects.all())
    return list(objectives.order_by("-period").values_list("period", flat=True).distinct())


def owners_visible_to(reader: Any) -> QuerySet[User]:
    objectives = objective_policy.visible(reader, Objective.objects.all())
    return User.objects.filter(pk__in=objectives.values("owner")).order_by("full_name", "email")
