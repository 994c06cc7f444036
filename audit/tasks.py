"""Daily verification of every tenant's audit chain."""

from celery import shared_task
from django_tenants.utils import get_public_schema_name

from core.models import TaskRun
from core.tasks import TenantTask

from .services import chain_verify


@shared_task(base=TenantTask, bind=True, acks_late=True)
def audit_chain_verify(self: TenantTask) -> bool:
    report = chain_verify()
    TaskRun.objects.create(
        task=self.name,
        worker=self.request.hostname or "",
        status=TaskRun.Status.SUCCEEDED if report.intact else TaskRun.Status.FAILED,
        detail=f"{report.checked} events checked"
        + ("" if report.intact else f"; broken at event {report.broken_at}: {report.reason}"),
    )
    return report.intact


@shared_task(acks_late=True)
def audit_chain_verify_dispatch() -> int:
    from tenants.models import Tenant

    tenants = Tenant.objects.exclude(schema_name=get_public_schema_name()).filter(status=Tenant.Status.ACTIVE)
    for tenant in tenants:
        audit_chain_verify.apply_async(headers={"_schema_name": tenant.schema_name})
    return len(tenants)
