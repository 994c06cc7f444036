"""Nightly backups, pruning and weekly restore drills, one task per active tenant."""

import random

from celery import shared_task
from django.db import connection
from django_tenants.utils import get_public_schema_name

from core.tasks import TenantTask

from . import services
from .models import BackupRecord


def _tenant():  # type: ignore[no-untyped-def]
    from tenants.models import Tenant

    return Tenant.objects.get(schema_name=connection.schema_name)  # type: ignore[attr-defined]


@shared_task(
    base=TenantTask, bind=True, acks_late=True, autoretry_for=(services.BackupError,), retry_backoff=60, max_retries=3
)
def backup_tenant(self: TenantTask, slot: str) -> int:
    return services.backup_tenant(tenant=_tenant(), slot=slot).pk


@shared_task(base=TenantTask, bind=True, acks_late=True)
def backups_prune(self: TenantTask) -> int:
    return services.backups_prune(tenant=_tenant())


@shared_task(base=TenantTask, bind=True, acks_late=True)
def restore_drill(self: TenantTask) -> int | None:
    latest = BackupRecord.objects.filter(status=BackupRecord.Status.SUCCEEDED).order_by("-finished_at").first()
    if latest is None:
        return None
    return services.restore_drill(tenant=_tenant(), record=latest).pk


def _fan_out(task, *args: object) -> int:  # type: ignore[no-untyped-def]
    from tenants.models import Tenant

    tenants = Tenant.objects.exclude(schema_name=get_public_schema_name()).filter(status=Tenant.Status.ACTIVE)
    for tenant in tenants:
        task.apply_async(args=args, headers={"_schema_name": tenant.schema_name}, countdown=random.uniform(0, 60))  # noqa: S311 -- load spreading
    return len(tenants)


@shared_task(acks_late=True)
def backup_dispatch() -> int:
    from django.utils import timezone

    return _fan_out(backup_tenant, timezone.localdate().isoformat())


@shared_task(acks_late=True)
def backups_prune_dispatch() -> int:
    return _fan_out(backups_prune)


@shared_task(acks_late=True)
def restore_drill_dispatch() -> int:
    return _fan_out(restore_drill)
