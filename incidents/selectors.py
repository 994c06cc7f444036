"""Reads of the incident log, filtered by the reader's reach."""

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from risks.models import Risk
from risks.policies import risk_policy

from .forms import SORTS
from .models import OPEN_STATUSES, Attachment, CorrectiveAction, Incident, StatusChange, TimelineEntry
from .policies import incident_policy


def incidents_visible_to(reader: Any, filters: dict[str, Any] | None = None) -> QuerySet[Incident]:
    filters = filters or {}
    incidents = incident_policy.visible(reader, Incident.objects.select_related("reporter", "assignee"))
    if filters.get("q"):
        q = filters["q"].strip()
        incidents = incidents.filter(Q(title__icontains=q) | Q(reference__icontains=q) | Q(description__icontains=q))
    status = filters.get("status")
    if status == "open":
        incidents = incidents.filter(status__in=OPEN_STATUSES)
    elif status:
        incidents = incidents.filter(status=status)
    if filters.get("type"):
        incidents = incidents.filter(type=filters["type"])
    severity = filters.get("severity")
    if severity == "none":
        incidents = incidents.filter(severity__isnull=True)
    elif severity:
        incidents = incidents.filter(severity=int(severity))
    if filters.get("breach") == "yes":
        incidents = incidents.filter(personal_data_breach=True)
    elif filters.get("breach") == "no":
        incidents = incidents.filter(personal_data_breach=False)
    if filters.get("assignee"):
        incidents = incidents.filter(assignee=filters["assignee"])
    if filters.get("mine"):
        incidents = incidents.filter(Q(reporter=reader) | Q(assignee=reader))
    order = SORTS.get(filters.get("sort") or "-reported", SORTS["-reported"])
    if order[0] == "severity":
        # Not-yet-assessed incidents after the assessed ones.
        from django.db.models import F

        return incidents.order_by(F("severity").asc(nulls_last=True), *order[1:])
    return incidents.order_by(*order)


def incident_for(reader: Any, pk: int) -> Incident | None:
    incidents = Incident.objects.select_related("reporter", "assignee").prefetch_related(
        Prefetch("status_changes", queryset=StatusChange.objects.select_related("by")),
        Prefetch("timeline", queryset=TimelineEntry.objects.select_related("author")),
        Prefetch("actions", queryset=CorrectiveAction.objects.select_related("owner")),
        Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
    )
    return incident_policy.visible(reader, incidents).filter(pk=pk).first()


def risks_linkable_by(reader: Any) -> QuerySet[Risk]:
    """Risks the reader may see, offered for linking."""
    return risk_policy.visible(reader, Risk.objects.all()).order_by("reference")


def linked_risks_visible_to(reader: Any, incident: Incident) -> QuerySet[Risk]:
    return risk_policy.visible(reader, incident.risks.all()).order_by("reference")
