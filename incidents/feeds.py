"""Management review agenda, section (d) information security performance: incidents and corrective actions.

Feed keys are stable (``incidents``, ``corrective_actions``): they name the figures frozen in held reviews.

``incidents`` counts incidents reported from the previous review's date (inclusive; all of them for a
first review) up to the meeting's date (inclusive). Rows, in this order:
  Incidents since the previous review · Security · Operational · Privacy · Severity 1 – Critical ·
  Severity 2 – High · Severity 3 – Medium · Severity 4 – Low · Severity not yet set · Open now ·
  Personal-data breaches · Mean time to resolve (hours)
Items: each incident of the period, "INC-… title (status)", linking to its page.

``corrective_actions``: Open corrective actions · Overdue · Closed since the previous review.
Items: the open ones, overdue first.
"""

import datetime as dt

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from reviews.feeds import Figures

from .models import OPEN_STATUSES, CorrectiveAction, Incident, Severity, Type

MAX_ITEMS = 50


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, timezone.get_current_timezone())


def _period(since: dt.date | None, until: dt.date) -> Q:
    condition = Q(reported_at__lt=_start(until + dt.timedelta(days=1)))
    if since is not None:
        condition &= Q(reported_at__gte=_start(since))
    return condition


def incidents_for_review(since: dt.date | None, until: dt.date) -> Figures:
    period = Incident.objects.filter(_period(since, until))
    counts = period.aggregate(
        total=Count("id"),
        breaches=Count("id", filter=Q(personal_data_breach=True)),
        **{f"type_{kind}": Count("id", filter=Q(type=kind)) for kind in Type.values},
        **{f"severity_{level}": Count("id", filter=Q(severity=level)) for level in Severity.values},
        severity_none=Count("id", filter=Q(severity__isnull=True)),
    )
    open_now = Incident.objects.filter(status__in=OPEN_STATUSES).count()
    resolved = period.filter(resolved_at__isnull=False).aggregate(
        mean=Avg(ExpressionWrapper(F("resolved_at") - F("detected_at"), output_field=DurationField()))
    )["mean"]
    rows: list[list[object]] = [[_("Incidents since the previous review"), counts["total"]]]
    rows += [[str(label), counts[f"type_{kind}"]] for kind, label in Type.choices]
    rows += [
        [_("Severity %(level)s") % {"level": label}, counts[f"severity_{level}"]] for level, label in Severity.choices
    ]
    rows += [
        [_("Severity not yet set"), counts["severity_none"]],
        [_("Open now"), open_now],
        [_("Personal-data breaches"), counts["breaches"]],
        [_("Mean time to resolve (hours)"), round(resolved.total_seconds() / 3600, 1) if resolved else "—"],
    ]
    items = [
        [f"{incident.reference} {incident.title} ({incident.get_status_display()})", incident.get_absolute_url()]
        for incident in period.order_by("reported_at", "id")[:MAX_ITEMS]
    ]
    note = ""
    if counts["total"] > MAX_ITEMS:
        note = _("The first %(n)d of %(total)d incidents are listed.") % {"n": MAX_ITEMS, "total": counts["total"]}
    return {"rows": rows, "items": items, "note": note}


def corrective_actions_for_review(since: dt.date | None, until: dt.date) -> Figures:
    open_actions = CorrectiveAction.objects.exclude(status=CorrectiveAction.Status.DONE)
    done = CorrectiveAction.objects.filter(
        status=CorrectiveAction.Status.DONE, completed_at__lt=_start(until + dt.timedelta(days=1))
    )
    if since is not None:
        done = done.filter(completed_at__gte=_start(since))
    overdue = open_actions.filter(due_date__lt=until)
    rows: list[list[object]] = [
        [_("Open corrective actions"), open_actions.count()],
        [_("Overdue"), overdue.count()],
        [_("Closed since the previous review"), done.count()],
    ]
    items = [
        [
            _("%(incident)s: %(action)s — %(owner)s, due %(due)s%(late)s")
            % {
                "incident": action.incident.reference,
                "action": action.title,
                "owner": action.owner,
                "due": action.due_date.isoformat(),
                "late": _(" (overdue)") if action.due_date < until else "",
            },
            action.incident.get_absolute_url(),
        ]
        for action in open_actions.select_related("incident", "owner").order_by("due_date", "id")[:MAX_ITEMS]
    ]
    return {"rows": rows, "items": items, "note": ""}
