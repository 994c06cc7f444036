"""Backup figures of one tenant for the operators' overview across tenants (tenants.operations)."""

import datetime as dt
from typing import Any

from .models import BackupRecord, RestoreDrill


def tenant_backup_figures(now: dt.datetime) -> dict[str, Any]:
    """Aggregates only, of the tenant whose schema is active: no rows leave it."""
    last = BackupRecord.objects.filter(status="succeeded").order_by("-finished_at").first()
    drill = RestoreDrill.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
    return {
        "last_backup_age_hours": (now - last.finished_at).total_seconds() / 3600 if last and last.finished_at else None,
        "last_backup_size": last.size if last else None,
        "backups_kept": BackupRecord.objects.filter(status="succeeded").count(),
        "failed_backups_7d": BackupRecord.objects.filter(
            status="failed", started_at__gte=now - dt.timedelta(days=7)
        ).count(),
        "last_drill_passed": (drill.status == "passed") if drill else None,
        "last_drill_seconds": drill.restore_seconds if drill else None,
    }
