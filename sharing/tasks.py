"""Hourly: record expired shares in each tenant's audit trail."""

from celery import shared_task
from django_tenants.utils import get_public_schema_name

from core.tasks import TenantTask

from .services import shares_expire


@shared_task(base=TenantTask, bind=True, acks_late=True)
def shares_expire_tenant(self: TenantTask) -> int:
    return shares_expire()


@shared_task(acks_late=True)
def shares_expire_dispatch() -> int:
    from tenants.models import Tenant

    tenants = Tenant.objects.exclude(schema_name=get_public_schema_name()).filter(status=Tenant.Status.ACTIVE)
    for tenant in tenants:
        shares_expire_tenant.apply_async(headers={"_schema_name": tenant.schema_name})
    return len(tenants)
