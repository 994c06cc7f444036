"""Daily verification of every tenant's audit chain and the platform's, each then anchored in object storage."""

import logging
from typing import Any

from celery import shared_task
from django_tenants.utils import get_public_schema_name, get_tenant_model, schema_context

from core.models import TaskRun
from core.tasks import TenantTask

from .services import ChainReport, chain_anchor, chain_verify_anchored

logger = logging.getLogger(__name__)


def _outcome(report: ChainReport) -> str:
    text = f"{report.checked} events checked, {report.anchors_checked} anchors checked"
    if not report.intact:
        text += f"; broken at event {report.broken_at}: {report.reason}"
    for refused in report.anchors_refused:
        text += f"; anchor {refused.name} refused: {refused.reason}"
    return text


@shared_task(base=TenantTask, bind=True, acks_late=True)
def audit_chain_verify(self: TenantTask) -> bool:
    report = chain_verify_anchored()
    anchor = chain_anchor(report=report)
    TaskRun.objects.create(
        task=self.name,
        worker=self.request.hostname or "",
        status=TaskRun.Status.SUCCEEDED if report.passed else TaskRun.Status.FAILED,
        detail=_outcome(report) + (f"; anchored event {anchor.event_id}" if anchor else ""),
    )
    return report.passed


@shared_task(acks_late=True)
def audit_platform_chain_verify() -> bool:
    """The platform's own chain (public schema); it has no TaskRun table, so the outcome goes to the log."""
    with schema_context(get_public_schema_name()):
        report = chain_verify_anchored()
        chain_anchor(report=report)
    if not report.passed:
        logger.error("Platform audit chain: %s", _outcome(report))
    return report.passed


@shared_task(acks_late=True)
def audit_chain_verify_dispatch() -> int:
    Tenant: Any = get_tenant_model()

    tenants = Tenant.objects.exclude(schema_name=get_public_schema_name()).filter(status=Tenant.Status.ACTIVE)
    for tenant in tenants:
        audit_chain_verify.apply_async(headers={"_schema_name": tenant.schema_name})
    audit_platform_chain_verify.delay()
    return len(tenants)
