"""Platform-wide operations figures for the operators: per-tenant aggregates, never tenant rows."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from core.registry import Registry

from .models import Tenant


@dataclass(frozen=True)
class TenantOperations:
    slug: str
    status: str
    last_backup_age_hours: float | None = None
    last_backup_size: int | None = None
    backups_kept: int = 0
    failed_backups_7d: int = 0
    last_drill_passed: bool | None = None
    last_drill_seconds: float | None = None


# Per-tenant figures of the apps that keep them (backups: last backup, drills), registered in their
# AppConfig.ready. Each runs inside the tenant's schema as figures(now) and answers TenantOperations fields.
Figures = Callable[[dt.datetime], dict[str, Any]]
FIGURES: Registry[Figures] = Registry("tenant operations figures")


def operations_overview() -> list[TenantOperations]:
    now = timezone.now()
    rows = []
    for tenant in Tenant.objects.exclude(schema_name=get_public_schema_name()).order_by("slug"):
        with schema_context(tenant.schema_name):
            figures: dict[str, Any] = {}
            for compute in FIGURES:
                figures.update(compute(now))
            rows.append(TenantOperations(slug=tenant.slug, status=tenant.status, **figures))
    return rows
