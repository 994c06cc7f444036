"""The daily chain check: one task per active tenant, its result recorded as a task run."""

from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context

from audit.models import AuditEvent
from audit.tasks import audit_chain_verify, audit_chain_verify_dispatch
from core.models import TaskRun
from core.tasks import PublicSchemaError
from isms.celery import app
from tenants.models import Tenant
from tests.audit.chain import execute, three_events, trigger_bypassed


def task_runs(schema: str) -> list[TaskRun]:
    with schema_context(schema):
        return list(TaskRun.objects.filter(task="audit.tasks.audit_chain_verify"))


@pytest.fixture
def tasks_run_in_process() -> Iterator[None]:
    """Tasks sent by a task run here, on the test's connection, instead of on a worker."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_daily_task_records_an_intact_chain_as_succeeded(acme, globex):
    *_earlier, last = three_events("acme")
    with schema_context("acme"):
        count = AuditEvent.objects.count()
        assert audit_chain_verify.apply().get() is True

    [run] = task_runs("acme")
    assert run.status == TaskRun.Status.SUCCEEDED
    assert run.detail == f"{count} events checked, 0 anchors checked; anchored event {last.pk}"
    assert task_runs("globex") == []


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_daily_task_records_a_broken_chain_as_failed_with_the_event(acme):
    _first, altered, _last = three_events("acme")
    with trigger_bypassed("acme"):
        execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [altered.pk])
    with schema_context("acme"):
        assert audit_chain_verify.apply().get() is False

    [run] = task_runs("acme")
    assert run.status == TaskRun.Status.FAILED
    assert f"broken at event {altered.pk}: " in run.detail


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_daily_task_refuses_to_run_without_a_tenant(db, worlds):
    with pytest.raises(PublicSchemaError):
        audit_chain_verify.apply(throw=True)


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_daily_dispatch_verifies_every_active_tenant(acme, globex, tasks_run_in_process):
    Tenant.objects.filter(slug="globex").update(status=Tenant.Status.SUSPENDED)

    assert audit_chain_verify_dispatch.apply().get() == 1

    [run] = task_runs("acme")
    assert run.status == TaskRun.Status.SUCCEEDED
    assert task_runs("globex") == []
