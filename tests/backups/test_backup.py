"""Backing up: a worker killed in the middle leaves no success recorded, and the next run cleans up."""

import os
import signal
import subprocess
import time
import uuid

import psutil
import psycopg
import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from backups import services
from backups.models import BackupRecord
from backups.store import BackupStore
from tests.support import PYTHON, ROOT, database_url, stop, subprocess_env

pytestmark = pytest.mark.slow


def _wait(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.3)


def test_killed_worker_leaves_no_success_and_the_next_run_cleans_up(tenant, local_storage, django_db_blocker):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "needs the real Redis broker (REDIS_URL)"
    queue = f"kill-{uuid.uuid4().hex[:8]}"
    url = database_url(settings.DATABASE_ROLES["owner"])
    # Hold a lock pg_dump must wait for, so the worker is caught mid-backup, deterministically.
    blocker = psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=False)
    blocker.execute(f'LOCK TABLE "{tenant.schema_name}".risks_risk IN ACCESS EXCLUSIVE MODE')
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
            queue,
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=subprocess_env(ISMS_DATA_DIR=str(local_storage), AZURE_STORAGE_CONNECTION_STRING=""),
    )
    try:
        with django_db_blocker.unblock():
            with schema_context(tenant.schema_name):
                from backups.tasks import backup_tenant

                backup_tenant.apply_async(args=["2026-11-26"], queue=queue)
                _wait(lambda: BackupRecord.objects.filter(status="running").exists())
                record = BackupRecord.objects.get()
            _wait(lambda: any("pg_dump" in " ".join(p.cmdline()) for p in psutil.Process(worker.pid).children(True)))
            for child in psutil.Process(worker.pid).children(recursive=True):
                child.kill()
            os.kill(worker.pid, signal.SIGKILL)  # the worker dies mid-backup
            worker.wait(timeout=30)
            blocker.rollback()

            with schema_context(tenant.schema_name):
                record.refresh_from_db()
                assert record.status == "running"  # never "succeeded"
                assert not BackupRecord.objects.filter(status="succeeded").exists()

            # The next run (a retry of the same slot or the next night) fails the orphan and cleans it.
            later = services.backup_tenant(tenant=tenant, slot="2026-11-27")
            assert later.status == "succeeded", later.error
            with schema_context(tenant.schema_name):
                record.refresh_from_db()
            assert record.status == "failed" and "worker stopped" in record.error
            assert BackupStore(tenant).names() == [later.object_name]
    finally:
        blocker.close()
        stop(worker)
