"""Hourly: record expired shares in each tenant's audit trail."""

from celery import shared_task

from core.fanout import tenants_fan_out
from core.tasks import TenantTask

from .services import shares_expire


@shared_task(base=TenantTask, bind=True)
def shares_expire_tenant(self: TenantTask) -> int:
    return shares_expire()


@shared_task(acks_late=True)
def shares_expire_dispatch() -> int:
    return tenants_fan_out(shares_expire_tenant)
