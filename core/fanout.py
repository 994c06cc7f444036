"""Queueing tenant tasks: one tenant's (after the current transaction commits) or every active tenant's.

tenant-schemas-celery stamps each message with the schema of the connection that sends it, and its
worker switches to that schema before the task runs. So a task is sent *inside* the tenant's context
here, never with the library's private header written by hand.
"""

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from celery import Task
from django.db import transaction
from django_tenants.utils import get_public_schema_name, get_tenant_model, schema_context

from .schemas import current_schema_name
from .tasks import PublicSchemaError

if TYPE_CHECKING:
    from tenants.models import Tenant

# Beat fires every tenant's task at the same instant; each is delayed by a random part of this window.
DEFAULT_SPREAD_SECONDS = 60.0


def tenant_task_send(task: Task, *, schema: str, args: Sequence[Any] = (), countdown: float | None = None) -> None:
    """Send ``task`` now, to run in ``schema``."""
    if schema == get_public_schema_name():
        raise PublicSchemaError(f"{task.name} needs a tenant schema; it was about to be sent for the public one.")
    with schema_context(schema):
        if countdown is None:
            task.apply_async(args=tuple(args))
        else:
            task.apply_async(args=tuple(args), countdown=countdown)


def tenant_task_enqueue(task: Task, *, args: Sequence[Any] = (), tenant: "Tenant | None" = None) -> None:
    """Queue ``task`` for ``tenant`` (default: the current one) once the current transaction commits.

    The schema is taken now: the commit may happen after the connection left the tenant.
    """
    schema = tenant.schema_name if tenant is not None else current_schema_name()
    if schema == get_public_schema_name():
        raise PublicSchemaError(f"{task.name} needs a tenant schema; it was about to be queued for the public one.")
    arguments = list(args)
    transaction.on_commit(lambda: tenant_task_send(task, schema=schema, args=arguments))


def tenants_fan_out(task: Task, *, args: Sequence[Any] = (), spread: float = DEFAULT_SPREAD_SECONDS) -> int:
    """Send ``task`` once per active tenant, each delayed by a random 0..``spread`` seconds; returns how many."""
    Tenant: Any = get_tenant_model()
    schemas = list(
        Tenant.objects.exclude(schema_name=get_public_schema_name())
        .filter(status=Tenant.Status.ACTIVE)
        .values_list("schema_name", flat=True)
    )
    for schema in schemas:
        countdown = random.uniform(0, spread)  # noqa: S311 -- load spreading, not security
        tenant_task_send(task, schema=schema, args=args, countdown=countdown)
    return len(schemas)
