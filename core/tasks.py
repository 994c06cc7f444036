"""Background tasks of the shell: the base every tenant task uses, the worker heartbeat and outgoing e-mail."""

import logging
import socket
from smtplib import SMTPException
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.task import TenantTask as _TenantTask

from .models import TaskRun
from .schemas import current_schema_name

logger = logging.getLogger(__name__)

# Faults that pass by themselves: a dropped or refused database connection, a broker or storage hiccup.
# ConnectionError and TimeoutError are OSErrors raised by sockets (redis-py and azure raise subclasses of them).
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


class PublicSchemaError(RuntimeError):
    """A tenant task was about to run against the public schema's tables."""


class TenantTask(_TenantTask):
    """Base for tasks that work on one tenant's data.

    Refuses to run in the public schema; retries transient faults with exponential backoff and jitter
    (a task adds its own with ``autoretry_for=TRANSIENT_ERRORS + (...)``); acknowledges the message only
    after the run, so a lost worker's task runs again; and leaves a ``TaskRun`` row in the tenant when it
    succeeded or finally failed (tasks that write a richer row themselves set ``records_run=False``).
    Queue one with ``core.fanout``, never by writing tenant-schemas-celery's header by hand.
    """

    abstract = True
    acks_late = True
    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 10  # seconds before the first retry, doubling after each
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5
    records_run = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if current_schema_name() == get_public_schema_name():
            raise PublicSchemaError(f"{self.name} needs a tenant schema; it was sent without one.")
        return super().__call__(*args, **kwargs)

    def on_success(self, retval: Any, task_id: str, args: Any, kwargs: Any) -> None:
        if self.records_run:
            self._record_run(TaskRun.Status.SUCCEEDED, "")

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        # Called once the retries are spent (or for an error that is not retried), not for each retry.
        if not isinstance(exc, PublicSchemaError):
            self._record_run(TaskRun.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000])

    def _record_run(self, status: str, detail: str) -> None:
        try:
            with transaction.atomic():
                TaskRun.objects.create(
                    task=self.name, worker=self.request.hostname or socket.gethostname(), status=status, detail=detail
                )
        except DatabaseError:
            # The database may be what failed: the worker log keeps the outcome then.
            logger.exception("Could not record %s run of %s in %s", status, self.name, current_schema_name())


@shared_task(base=TenantTask, bind=True, records_run=False)
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
    from .fanout import tenants_fan_out

    return tenants_fan_out(heartbeat, spread=5)


@shared_task(base=TenantTask, bind=True, autoretry_for=(*TRANSIENT_ERRORS, SMTPException, OSError), max_retries=6)
def email_send(self: TenantTask, subject: str, body: str, recipients: list[str]) -> int:
    """Deliver one e-mail queued by ``core.mail.email_queue``; returns how many messages the backend sent."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
