"""The management view of incidents: printable, filtered by period and type."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.http import AuthenticatedHttpRequest

from .. import dashboard
from ..forms import DashboardFilterForm
from ..models import Incident
from ..policies import incident_policy


@login_required
def incident_dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not incident_policy.can_view_dashboard(request.user):
        raise Http404
    today = timezone.localdate()
    now = timezone.now()
    default = dashboard.default_period(today)
    filters = DashboardFilterForm(request.GET or None, initial={"date_from": default.start, "date_to": default.end})
    values = filters.cleaned_data if filters.is_valid() else {}
    period = dashboard.Period(values.get("date_from") or default.start, values.get("date_to") or default.end)
    incidents = incident_policy.visible(request.user, Incident.objects.all())
    if values.get("type"):
        incidents = incidents.filter(type=values["type"])
    mttr = dashboard.mean_time_to_resolve(incidents, period)
    for row in mttr["by_severity"]:
        row["text"] = dashboard.duration_text(row["mean"])
    return render(
        request,
        "incidents/incident_dashboard.html",
        {
            "filters": filters,
            "period": period,
            "headline": dashboard.headline(incidents, period, now),
            "open_table": dashboard.open_by_severity_and_age(incidents, now),
            "chart": dashboard.per_month_by_type(incidents, period),
            "mttr": mttr,
            "mttr_text": dashboard.duration_text(mttr["overall"]),
            "overdue": dashboard.overdue_actions(today, values.get("type") or ""),
            "type_filter": values.get("type") or "",
            "generated_at": now,
            "active_area": "incidents",
        },
    )
