"""Background tasks of the shell: the base every tenant task uses, and the worker heartbeat."""

import random
import socket
from typing import Any

from celery import shared_task
from django_tenants.utils import get_public_schema_name, get_tenant_model
from tenant_schemas_celery.task import TenantTask as _TenantTask

from .models import TaskRun
from .schemas import current_schema_name


class PublicSchemaError(RuntimeError):
    """A tenant task was about to run against the public schema's tables."""


class TenantTask(_TenantTask):
    """Base for tasks that work on one tenant's data: refuses to run in the public schema."""

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if current_schema_name() == get_public_schema_name():
            raise PublicSchemaError(f"{self.name} needs a tenant schema; it was sent without one.")
        return super().__call__(*args, **kwargs)


@shared_task(base=TenantTask, bind=True, acks_late=True)
def heartbeat(self: TenantTask) -> int:
    """Record that a worker ran a task in this tenant (shown on the dashboard)."""
    run = TaskRun.objects.create(
        task=self.name,
        worker=self.request.hostname or socket.gethostname(),
        status=TaskRun.Status.SUCCEEDED,
        detail=f"schema={current_schema_name()}",
    )
    return run.pk


@shared_task(acks_late=True)
def heartbeat_dispatch() -> int:
    """Fan out one heartbeat per active tenant, spread over a few seconds."""
    Tenant: Any = get_tenant_model()

    tenants = Tenant.objects.exclude(schema_name=get_public_schema_name()).filter(status=Tenant.Status.ACTIVE)
    count = 0
    for tenant in tenants:
        heartbeat.apply_async(
            countdown=random.uniform(0, 5),  # noqa: S311 -- load spreading, not security
            headers={"_schema_name": tenant.schema_name},
        )
        count += 1
    return count
