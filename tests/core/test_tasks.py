"""Celery through the real Redis broker: tasks run in the schema they were sent for, never in public."""

import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings
from django_tenants.utils import schema_context, tenant_context

from core.models import TaskRun
from core.tasks import PublicSchemaError, TenantTask, heartbeat, heartbeat_dispatch
from tenants import services
from tenants.models import Tenant
from tests.support import PYTHON, ROOT, stop, subprocess_env

pytestmark = pytest.mark.slow


@pytest.fixture
def redis_worker(worlds, django_db_blocker) -> Iterator[str]:
    """A real Celery worker process consuming a private queue on the Redis broker."""
    assert settings.CELERY_BROKER_URL.startswith("redis://"), (
        "Celery integration tests need a real Redis broker: set REDIS_URL (make test does)."
    )
    queue = f"test-{uuid.uuid4().hex[:12]}"
    worker = subprocess.Popen(  # noqa: S603 — our own interpreter and fixed arguments, no shell
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "isms",
            "worker",
            "--pool=solo",
            "-Q",
            f"{queue},celery",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=subprocess_env(),
    )
    try:
        yield queue
    finally:
        stop(worker)


@pytest.fixture
def committed_tenants(django_db_blocker) -> Iterator[dict[str, Tenant]]:
    """Tenants whose rows are committed, so a worker process can see them; dropped afterwards."""
    slugs = {"active": f"celery-{uuid.uuid4().hex[:8]}", "suspended": f"celery-{uuid.uuid4().hex[:8]}"}
    with django_db_blocker.unblock():
        tenants = {
            kind: services.tenant_provision(slug=slug, name=kind, admin_email=f"a@{slug}.example").tenant
            for kind, slug in slugs.items()
        }
        Tenant.objects.filter(pk=tenants["suspended"].pk).update(status=Tenant.Status.SUSPENDED)
    try:
        yield tenants
    finally:
        with django_db_blocker.unblock():
            for slug in slugs.values():
                services.tenant_delete(slug=slug)


def _runs(tenant: Tenant) -> list[TaskRun]:
    with schema_context(tenant.schema_name):
        return list(TaskRun.objects.filter(task="core.tasks.heartbeat"))


def _wait_for_run(tenant: Tenant, timeout: float = 40) -> TaskRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = _runs(tenant)
        if runs:
            return runs[0]
        time.sleep(0.3)
    raise AssertionError(f"no heartbeat recorded in {tenant.schema_name} within {timeout} s")


def test_task_sent_through_redis_runs_in_the_tenant_schema(committed_tenants, redis_worker, django_db_blocker):
    active = committed_tenants["active"]
    with django_db_blocker.unblock():
        with tenant_context(active):
            heartbeat.apply_async(queue=redis_worker)
        run = _wait_for_run(active)
        assert run.detail == f"schema={active.schema_name}"
        assert run.status == TaskRun.Status.SUCCEEDED
        assert _runs(committed_tenants["suspended"]) == []


def test_dispatcher_fans_out_to_active_tenants_only(committed_tenants, redis_worker, django_db_blocker):
    with django_db_blocker.unblock():
        sent = heartbeat_dispatch.apply().get()
        assert sent == Tenant.objects.exclude(schema_name="public").filter(status="active").count()
        _wait_for_run(committed_tenants["active"])
        time.sleep(6)  # the fan-out spreads tasks over up to 5 s
        assert _runs(committed_tenants["suspended"]) == []
        assert len(_runs(committed_tenants["active"])) == 1


def test_tenant_task_refuses_to_run_in_the_public_schema(db):
    with pytest.raises(PublicSchemaError, match="needs a tenant schema"):
        heartbeat.apply(throw=True)
    assert TaskRun.objects.model._meta.db_table not in _public_tables()


def _public_tables() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row[0] for row in cursor.fetchall()}


def test_every_tenant_task_retries_transient_faults_with_backoff_and_acks_late():
    from django.db import OperationalError

    from isms.celery import app

    app.loader.import_default_modules()
    tenant_tasks = {name: task for name, task in app.tasks.items() if isinstance(task, TenantTask)}
    assert {"core.tasks.heartbeat", "backups.tasks.backup_tenant", "sharing.tasks.shares_expire_tenant"} <= set(
        tenant_tasks
    )
    for name, task in tenant_tasks.items():
        assert issubclass(OperationalError, tuple(task.autoretry_for)), name
        assert issubclass(ConnectionError, tuple(task.autoretry_for)), name
        assert task.retry_backoff and task.retry_jitter and task.max_retries, name
        assert task.acks_late, name
