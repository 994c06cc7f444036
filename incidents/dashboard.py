"""Figures of the management view: open incidents by severity and age, incidents per month by type (drawn as
SVG by the template), mean time to resolve, overdue corrective actions. A fixed number of aggregate queries."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import OPEN_STATUSES, CorrectiveAction, Incident, Severity, Type

AGE_BUCKETS = (
    ("day", _("Under 1 day"), dt.timedelta(0), dt.timedelta(days=1)),
    ("week", _("1–7 days"), dt.timedelta(days=1), dt.timedelta(days=7)),
    ("month", _("7–30 days"), dt.timedelta(days=7), dt.timedelta(days=30)),
    ("older", _("Over 30 days"), dt.timedelta(days=30), None),
)
TYPE_COLOURS: dict[str, str] = {Type.SECURITY: "#1f5fae", Type.OPERATIONAL: "#d98a1c", Type.PRIVACY: "#8a3ea8"}
CHART_WIDTH, CHART_HEIGHT = 720, 260
PLOT_LEFT, PLOT_TOP, PLOT_BOTTOM = 40, 12, 40
MAX_OVERDUE_LISTED = 50


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, timezone.get_current_timezone())

    @property
    def end_at(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, timezone.get_current_timezone())


def default_period(today: dt.date) -> Period:
    """The last twelve months, whole months, this one included."""
    month = today.month - 11
    year = today.year
    if month < 1:
        month += 12
        year -= 1
    return Period(dt.date(year, month, 1), today)


def months_of(period: Period) -> list[dt.date]:
    months = []
    current = period.start.replace(day=1)
    while current <= period.end:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def open_by_severity_and_age(incidents: QuerySet[Incident], now: dt.datetime) -> dict[str, Any]:
    counts: dict[str, Any] = {}
    for key, _label, low, high in AGE_BUCKETS:
        condition = Q(detected_at__lte=now - low)
        if high is not None:
            condition &= Q(detected_at__gt=now - high)
        counts[key] = Count("id", filter=condition)
    rows = {
        row["severity"]: row
        for row in incidents.filter(status__in=OPEN_STATUSES)
        .order_by()
        .values("severity")
        .annotate(total=Count("id"), **counts)
    }
    table = []
    for value, label in [*Severity.choices, (None, _("Not yet assessed"))]:
        row: dict[str, Any] = dict(rows.get(value, {}))
        table.append(
            {
                "severity": value,
                "label": label,
                "cells": [row.get(key, 0) for key, *_rest in AGE_BUCKETS],
                "total": row.get("total", 0),
            }
        )
    totals = [sum(row["cells"][index] for row in table) for index in range(len(AGE_BUCKETS))]
    return {
        "buckets": [label for _key, label, *_rest in AGE_BUCKETS],
        "rows": table,
        "totals": totals,
        "total": sum(totals),
    }


def per_month_by_type(incidents: QuerySet[Incident], period: Period) -> dict[str, Any]:
    """Stacked bars, one per month of the period; geometry computed here, drawn by the template."""
    zone = timezone.get_current_timezone()
    counts: dict[tuple[dt.date, str], int] = {}
    for row in (
        incidents.filter(reported_at__gte=period.start_at, reported_at__lt=period.end_at)
        .annotate(month=TruncMonth("reported_at", tzinfo=zone))
        .order_by()
        .values("month", "type")
        .annotate(n=Count("id"))
    ):
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        counts[(month, row["type"])] = row["n"]
    months = months_of(period)
    totals = [sum(counts.get((month, kind), 0) for kind in Type.values) for month in months]
    top = max([*totals, 1])
    step = _nice_step(top)
    scale_top = step * -(-top // step)
    plot_height = CHART_HEIGHT - PLOT_TOP - PLOT_BOTTOM
    plot_width = CHART_WIDTH - PLOT_LEFT - 10
    slot = plot_width / max(len(months), 1)
    bar = max(min(slot * 0.7, 48), 4)
    bars = []
    for index, month in enumerate(months):
        x = PLOT_LEFT + slot * index + (slot - bar) / 2
        y_base: float = PLOT_TOP + plot_height
        segments = []
        for kind, label in Type.choices:
            n = counts.get((month, kind), 0)
            if not n:
                continue
            height = plot_height * n / scale_top
            y_base -= height
            segments.append(
                {"type": label, "n": n, "y": round(y_base, 1), "height": round(height, 1), "fill": TYPE_COLOURS[kind]}
            )
        bars.append(
            {
                "month": month,
                "x": round(x, 1),
                "width": round(bar, 1),
                "label_x": round(x + bar / 2, 1),
                "total": totals[index],
                "total_y": round(y_base - 4, 1),
                "segments": segments,
            }
        )
    grid = []
    for value in range(0, scale_top + 1, step):
        y = PLOT_TOP + plot_height - plot_height * value / scale_top
        grid.append({"value": value, "y": round(y, 1)})
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": PLOT_LEFT,
        "right": CHART_WIDTH - 10,
        "axis_y": CHART_HEIGHT - PLOT_BOTTOM + 16,
        "bars": bars,
        "grid": grid,
        "legend": [{"label": label, "fill": TYPE_COLOURS[kind]} for kind, label in Type.choices],
        "total": sum(totals),
        "rows": [
            {"month": month, "counts": [counts.get((month, kind), 0) for kind in Type.values], "total": totals[i]}
            for i, month in enumerate(months)
        ],
        "types": [label for _kind, label in Type.choices],
    }


def _nice_step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if top / step <= 6:
            return step
    return 10_000


def mean_time_to_resolve(incidents: QuerySet[Incident], period: Period) -> dict[str, Any]:
    """Mean of (resolved − detected) over incidents resolved within the period, overall and by severity."""
    resolved = incidents.filter(
        resolved_at__isnull=False, resolved_at__gte=period.start_at, resolved_at__lt=period.end_at
    ).annotate(duration=ExpressionWrapper(F("resolved_at") - F("detected_at"), output_field=DurationField()))
    rows: dict[int | None, dict[str, Any]] = {
        row["severity"]: dict(row)
        for row in resolved.order_by().values("severity").annotate(mean=Avg("duration"), n=Count("id"))
    }
    overall_n = sum(row["n"] for row in rows.values())
    overall = None
    if overall_n:
        seconds = sum(row["mean"].total_seconds() * row["n"] for row in rows.values()) / overall_n
        overall = dt.timedelta(seconds=seconds)
    return {
        "overall": overall,
        "count": overall_n,
        "by_severity": [
            {
                "label": label,
                "mean": rows[value]["mean"] if value in rows else None,
                "n": rows.get(value, {}).get("n", 0),
            }
            for value, label in Severity.choices
        ],
    }


def overdue_actions(today: dt.date, type_filter: str = "") -> dict[str, Any]:
    """Open corrective actions past their due date (the management view is for readers of every incident)."""
    actions = CorrectiveAction.objects.filter(due_date__lt=today).exclude(status=CorrectiveAction.Status.DONE)
    if type_filter:
        actions = actions.filter(incident__type=type_filter)
    actions = actions.select_related("incident", "owner").order_by("due_date", "id")
    listed = list(actions[: MAX_OVERDUE_LISTED + 1])
    return {"items": listed[:MAX_OVERDUE_LISTED], "more": len(listed) > MAX_OVERDUE_LISTED}


def headline(incidents: QuerySet[Incident], period: Period, now: dt.datetime) -> dict[str, int]:
    in_period = Q(reported_at__gte=period.start_at, reported_at__lt=period.end_at)
    breach_overdue = Q(
        personal_data_breach=True, authority_notified_at__isnull=True, authority_not_notified_reason=""
    ) & Q(detected_at__lt=now - dt.timedelta(hours=72))
    return incidents.order_by().aggregate(
        reported=Count("id", filter=in_period),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        breaches=Count("id", filter=in_period & Q(personal_data_breach=True)),
        breaches_overdue=Count("id", filter=breach_overdue),
    )


def duration_text(value: dt.timedelta | None) -> str:
    if value is None:
        return "—"
    hours = value.total_seconds() / 3600
    if hours < 48:
        return _("%(h).1f h") % {"h": hours}
    return _("%(d).1f days") % {"d": hours / 24}
