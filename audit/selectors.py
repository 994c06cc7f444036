"""Reads of the audit trail, already limited to readers who may see it."""

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditEvent
from .policies import audit_policy


def events_visible_to(reader: Any, filters: dict[str, Any] | None = None) -> QuerySet[AuditEvent]:
    if not audit_policy.can_view(reader):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.order_by("-id")
    filters = filters or {}
    if filters.get("person"):
        events = events.filter(actor_label__icontains=filters["person"])
    if filters.get("action"):
        events = events.filter(action__icontains=filters["action"])
    if filters.get("record"):
        text = filters["record"]
        events = events.filter(Q(object_label__icontains=text) | Q(object_type__icontains=text) | Q(object_id=text))
    if filters.get("kind"):
        events = events.filter(kind=filters["kind"])
    zone = timezone.get_current_timezone()
    if filters.get("date_from"):
        events = events.filter(occurred_at__gte=dt.datetime.combine(filters["date_from"], dt.time.min, zone))
    if filters.get("date_to"):
        events = events.filter(
            occurred_at__lt=dt.datetime.combine(filters["date_to"] + dt.timedelta(days=1), dt.time.min, zone)
        )
    return events


def history_of(reader: Any, obj: Any) -> QuerySet[AuditEvent]:
    """Change events of one record, newest first (the "history" panel of a record page)."""
    return (
        events_visible_to(reader)
        .filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .exclude(kind=AuditEvent.Kind.ACCESS)
    )
