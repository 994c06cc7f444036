"""Nightly backups, pruning and weekly restore drills, one task per active tenant."""

from typing import TYPE_CHECKING

from celery import shared_task
from django.conf import settings

from core.fanout import tenants_fan_out
from core.schemas import current_schema_name
from core.tasks import TRANSIENT_ERRORS, TenantTask

from . import services

if TYPE_CHECKING:
    from tenants.models import Tenant


def _tenant() -> "Tenant":
    from tenants.models import Tenant

    return Tenant.objects.get(schema_name=current_schema_name())


@shared_task(
    base=TenantTask, bind=True, autoretry_for=(*TRANSIENT_ERRORS, services.BackupError), retry_backoff=60, max_retries=3
)
def backup_tenant(self: TenantTask, slot: str) -> int:
    return services.backup_tenant(tenant=_tenant(), slot=slot).pk


@shared_task(base=TenantTask, bind=True)
def backups_prune(self: TenantTask) -> int:
    return services.backups_prune(tenant=_tenant())


@shared_task(base=TenantTask, bind=True)
def restore_drill(self: TenantTask) -> int | None:
    """The weekly drill: requested as "scheduled", run by ``restore_drill_run`` like one asked for on the page."""
    try:
        return services.restore_drill_request(tenant=_tenant(), by=None).pk
    except services.BackupError:
        return None  # no backup yet, or a drill is already queued or running


@shared_task(
    base=TenantTask,
    bind=True,
    # The soft limit lets the drill record why it stopped and drop its scratch database.
    soft_time_limit=settings.RESTORE_DRILL_TIME_LIMIT,
    time_limit=settings.RESTORE_DRILL_TIME_LIMIT + 60,
)
def restore_drill_run(self: TenantTask, drill_id: int) -> int | None:
    drill = services.restore_drill_execute(tenant=_tenant(), drill_id=drill_id)
    return drill.pk if drill else None


@shared_task(acks_late=True)
def backup_dispatch() -> int:
    from django.utils import timezone

    return tenants_fan_out(backup_tenant, args=[timezone.localdate().isoformat()])


@shared_task(acks_late=True)
def backups_prune_dispatch() -> int:
    return tenants_fan_out(backups_prune)


@shared_task(acks_late=True)
def restore_drill_dispatch() -> int:
    return tenants_fan_out(restore_drill)
