"""Agenda feeds of the portal's own records: review actions (a), objectives and backups (d), risks (f).

Each ``compute(since, until)`` answers with a fixed number of queries whatever the row count;
``until`` is the meeting's date (a planned meeting in the future counts up to today).
"""

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import feeds
from .models import ActionItem

ITEM_LIMIT = 20


def _as_of(until: dt.date) -> dt.date:
    return min(until, timezone.localdate())


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return date_format(value, "Y-m-d")


def review_actions(since: dt.date | None, until: dt.date) -> feeds.Figures:
    """Section (a): actions of earlier reviews and team meetings still open, and those closed since the last review."""
    today = _as_of(until)
    earlier = ActionItem.objects.filter(Q(meeting__date__lt=until) | Q(meeting=None, created_at__date__lt=until))
    open_actions = list(
        earlier.exclude(status__in=ActionItem.CLOSED).select_related("owner", "meeting").order_by("due_date", "id")
    )
    closed = earlier.filter(status__in=ActionItem.CLOSED)
    if since is not None:
        closed = closed.filter(closed_at__date__gte=since)
    overdue = sum(1 for action in open_actions if action.due_date < today)
    items = [
        [
            _("%(title)s — %(owner)s, due %(due)s, %(status)s%(origin)s")
            % {
                "title": action.title,
                "owner": action.owner.get_full_name(),
                "due": _day(action.due_date),
                "status": action.get_status_display().lower(),
                "origin": _(" (carried over from %(meeting)s)") % {"meeting": action.meeting.title}
                if action.meeting
                else _(" (from a team meeting)"),
            },
            action.get_absolute_url(),
        ]
        for action in open_actions[:ITEM_LIMIT]
    ]
    return {
        "rows": [
            [_("Open actions"), len(open_actions)],
            [_("Of which overdue"), overdue],
            [_("Closed since the last review"), closed.count()],
        ],
        "items": items,
        "note": "" if open_actions else _("No open actions from earlier reviews."),
    }


def objectives(since: dt.date | None, until: dt.date) -> feeds.Figures:
    """Section (d): fulfilment of the security objectives."""
    from objectives.models import Objective

    rows = list(Objective.objects.prefetch_related("key_results").order_by("-period", "title", "pk"))
    statuses = Counter(objective.status for objective in rows)
    return {
        "rows": [
            [_("Security objectives"), len(rows)],
            *[[str(label), statuses.get(value, 0)] for value, label in Objective.Status.choices],
        ],
        "items": [
            [
                _("%(objective)s: %(percent)s %% — %(status)s")
                % {"objective": objective, "percent": objective.percent, "status": objective.get_status_display()},
                objective.get_absolute_url(),
            ]
            for objective in rows[:ITEM_LIMIT]
        ],
        "note": "" if rows else _("No security objectives are set."),
    }


def backups(since: dt.date | None, until: dt.date) -> feeds.Figures:
    """Section (d): backups and restore drills against RTO 4 h / RPO 24 h."""
    from backups.models import BackupRecord, RestoreDrill
    from backups.services import RPO, RTO

    records = BackupRecord.objects.filter(started_at__date__lte=until)
    last_success = records.filter(status=BackupRecord.Status.SUCCEEDED).aggregate(at=Max("finished_at"))["at"]
    failures = records.filter(status=BackupRecord.Status.FAILED)
    if since is not None:
        failures = failures.filter(started_at__date__gte=since)
    drill = (
        RestoreDrill.objects.filter(started_at__date__lte=until, finished_at__isnull=False)
        .order_by("-started_at")
        .first()
    )
    if last_success is None and drill is None and not failures.exists():
        return {"rows": [], "items": [], "note": _("No backups are recorded yet.")}
    rows: list[list[Any]] = [
        [_("Last successful backup"), _day(last_success)],
        [_("Failed backups since the last review"), failures.count()],
    ]
    note = ""
    if drill is None:
        note = _("No restore drill has been run yet.")
    else:
        rows.append([_("Last restore drill"), f"{_day(drill.started_at)} · {drill.get_status_display()}"])
        within_rto = drill.restore_seconds is not None and drill.restore_seconds <= RTO.total_seconds()
        within_rpo = drill.backup_age_seconds is not None and drill.backup_age_seconds <= RPO.total_seconds()
        hours = RTO.total_seconds() / 3600
        rows.append(
            [
                _("Restore time within RTO (%(hours)d h)") % {"hours": hours},
                _("yes") if within_rto else _("no"),
            ]
        )
        rows.append(
            [
                _("Backup age within RPO (%(hours)d h)") % {"hours": RPO.total_seconds() / 3600},
                _("yes") if within_rpo else _("no"),
            ]
        )
    return {"rows": rows, "items": [], "note": note}


def risks(since: dt.date | None, until: dt.date) -> feeds.Figures:
    """Section (f): the latest signed-off risk analysis and the treatment plan's status."""
    from risks.analyses import summary
    from risks.models import Level, RiskAnalysis, TreatmentAction

    today = _as_of(until)
    analysis = (
        RiskAnalysis.objects.filter(status=RiskAnalysis.Status.SIGNED_OFF, signed_off_at__date__lte=until)
        .order_by("-signed_off_at", "-id")
        .first()
    )
    rows: list[list[Any]] = []
    items: list[list[str]] = []
    note = ""
    if analysis is None:
        note = _("No risk analysis has been signed off yet.")
    else:
        figures = summary(list(analysis.snapshot.get("risks", [])))
        levels = dict(figures["by_level"])
        rows.append([_("Latest signed-off risk analysis"), f"{analysis.name} ({_day(analysis.signed_off_at)})"])
        rows.append([_("Risks in the analysis"), figures["total"]])
        rows.append(
            [
                _("Risks reviewed in the analysis"),
                _("%(reviewed)s of %(in_scope)s")
                % {"reviewed": analysis.snapshot.get("reviewed", 0), "in_scope": analysis.snapshot.get("in_scope", 0)},
            ]
        )
        for value, label in reversed(Level.choices):
            rows.append([_("Risk level: %(level)s") % {"level": label}, levels.get(value, 0)])
        items.append([_("Report of risk analysis %(name)s") % {"name": analysis.name}, analysis.get_absolute_url()])
        items += [[f"{risk['reference']} {risk['title']} ({risk['score']})", ""] for risk in figures["top"][:5]]
    actions = TreatmentAction.objects.aggregate(
        open=Count("id", filter=~Q(status=TreatmentAction.Status.DONE)),
        overdue=Count("id", filter=~Q(status=TreatmentAction.Status.DONE) & Q(due_date__lt=today)),
        done=Count("id", filter=Q(status=TreatmentAction.Status.DONE)),
    )
    rows += [
        [_("Treatment actions open"), actions["open"]],
        [_("Treatment actions overdue"), actions["overdue"]],
        [_("Treatment actions done"), actions["done"]],
    ]
    return {"rows": rows, "items": items, "note": note}


def team_meetings(since: dt.date | None, until: dt.date) -> feeds.Figures:
    """Section (e): what teams raised under the security standing item since the last review."""
    from .models import RaisedIssue, TeamMeeting

    meetings = TeamMeeting.objects.filter(date__lte=until)
    issues = RaisedIssue.objects.filter(meeting__date__lte=until)
    if since is not None:
        meetings, issues = meetings.filter(date__gte=since), issues.filter(meeting__date__gte=since)
    outcomes = dict(issues.values_list("outcome").annotate(n=Count("id")).order_by())
    return {
        "rows": [
            [_("Team meetings with the security item"), meetings.count()],
            [_("Issues raised"), sum(outcomes.values())],
            *[[str(label), outcomes.get(value, 0)] for value, label in RaisedIssue.Outcome.choices],
        ],
        "items": [],
        "note": "",
    }


def register() -> None:
    feeds.register(
        feeds.Feed(section="a", key="review_actions", title=gettext_lazy("Review actions"), compute=review_actions)
    )
    feeds.register(
        feeds.Feed(
            section="d", key="objectives", title=gettext_lazy("Security objectives"), compute=objectives, order=50
        )
    )
    feeds.register(
        feeds.Feed(
            section="d", key="backups", title=gettext_lazy("Backups and restore drills"), compute=backups, order=60
        )
    )
    feeds.register(
        feeds.Feed(section="e", key="team_meetings", title=gettext_lazy("Team meetings"), compute=team_meetings)
    )
    feeds.register(
        feeds.Feed(section="f", key="risks", title=gettext_lazy("Risk assessment and treatment"), compute=risks)
    )
