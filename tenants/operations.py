"""Platform-wide operations figures for the operators: per-tenant aggregates, never tenant rows."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from .models import Tenant


@dataclass(frozen=True)
class TenantOperations:
    slug: str
    status: str
    last_backup_age_hours: float | None
    last_backup_size: int | None
    backups_kept: int
    failed_backups_7d: int
    last_drill_passed: bool | None
    last_drill_seconds: float | None


def operations_overview() -> list[TenantOperations]:
    from backups.models import BackupRecord, RestoreDrill

    now = timezone.now()
    rows = []
    for tenant in Tenant.objects.exclude(schema_name=get_public_schema_name()).order_by("slug"):
        with schema_context(tenant.schema_name):
            last = BackupRecord.objects.filter(status="succeeded").order_by("-finished_at").first()
            drill = RestoreDrill.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
            rows.append(
                TenantOperations(
                    slug=tenant.slug,
                    status=tenant.status,
                    last_backup_age_hours=(now - last.finished_at).total_seconds() / 3600
                    if last and last.finished_at
                    else None,
                    last_backup_size=last.size if last else None,
                    backups_kept=BackupRecord.objects.filter(status="succeeded").count(),
                    failed_backups_7d=BackupRecord.objects.filter(
                        status="failed", started_at__gte=now - dt.timedelta(days=7)
                    ).count(),
                    last_drill_passed=(drill.status == "passed") if drill else None,
                    last_drill_seconds=drill.restore_seconds if drill else None,
                )
            )
    return rows
