"""Agenda feed of backups and restore drills for management reviews (§9.3.2 d)."""

import datetime as dt
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _

from reviews.feeds import Figures
from reviews.feeds import day as _day

from .models import BackupRecord, RestoreDrill
from .services import RPO, RTO


def backups_for_review(since: dt.date | None, until: dt.date) -> Figures:
    """Section (d): backups and restore drills against RTO 4 h / RPO 24 h."""
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
