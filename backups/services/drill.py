"""Restore drills: a backup restored into a scratch database and proven to match, requested and run by a worker."""

import datetime as dt
import re
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import cast

import psycopg
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import schema_context

import audit
from accounts.models import User
from core.fanout import tenant_task_enqueue
from tenants.models import Tenant

from ..models import BackupRecord, RestoreDrill
from .archive import _archive_open
from .pg import BackupError, _connect, _describe, _pg_env, pg_tools, schema_fingerprint

# Advisory-lock namespaces: one held for the whole of a running drill, one while a request checks
# whether a drill is already queued or running (so two requests cannot both queue one).
_DRILL_LOCK_NAMESPACE = 0xD811


_DRILL_REQUEST_LOCK_NAMESPACE = 0xD812


# Scratch databases are named drill_t<tenant id>_<drill id>, so the next drill finds those a killed one left.
_SCRATCH_PREFIX = "drill_t"


class DrillBusy(BackupError):
    """A restore drill of this tenant is already queued or running."""


def _drill_connect(database: str) -> psycopg.Connection:
    """The one place a drill opens a database connection (the scratch database, or "postgres" to create it)."""
    return _connect(database, role="drill")


def _drill_pg_env(database: str) -> dict[str, str]:
    """The environment pg_restore gets for a drill: the same credentials as ``_drill_connect``."""
    return _pg_env(database, role="drill")


def _scratch_name(tenant: Tenant, drill: RestoreDrill) -> str:
    return f"{_SCRATCH_PREFIX}{tenant.pk}_{drill.pk}"


def _scratch_leftovers_drop(admin: psycopg.Connection, tenant: Tenant) -> list[str]:
    """Drop this tenant's scratch databases a killed drill left behind (called while holding the drill lock)."""
    pattern = re.compile(rf"{_SCRATCH_PREFIX}{tenant.pk}_\d+")
    rows = admin.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{_SCRATCH_PREFIX}{tenant.pk}\\_%"]
    ).fetchall()
    dropped = [name for (name,) in rows if pattern.fullmatch(name)]
    for name in dropped:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return dropped


def _drill_lock(tenant: Tenant) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))", [_DRILL_LOCK_NAMESPACE, tenant.schema_name])
        return bool(cursor.fetchone()[0])


def _drill_unlock(tenant: Tenant) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", [_DRILL_LOCK_NAMESPACE, tenant.schema_name])


def _drill_orphans_fail(tenant: Tenant, *, keep: RestoreDrill | None = None) -> None:
    """Drills still "running" while nobody holds the drill lock belong to a worker that died; so do
    drills queued for longer than a drill may take. Called with the lock held, or just tried free."""
    stale = timezone.now() - dt.timedelta(seconds=settings.RESTORE_DRILL_TIME_LIMIT)
    orphans = RestoreDrill.objects.filter(
        Q(status=RestoreDrill.Status.RUNNING) | Q(status=RestoreDrill.Status.QUEUED, started_at__lt=stale)
    )
    if keep is not None:
        orphans = orphans.exclude(pk=keep.pk)
    orphans.update(
        status=RestoreDrill.Status.FAILED,
        finished_at=timezone.now(),
        error="The worker stopped before the drill finished; its scratch database is dropped by the next drill.",
    )


def restore_drill_request(*, tenant: Tenant, by: User | None) -> RestoreDrill:
    """Queue a drill of the latest backup for a worker (``by`` None: the weekly schedule); refuse a second one."""
    with schema_context(tenant.schema_name), transaction.atomic():
        with connection.cursor() as cursor:  # requests of one tenant wait here for each other
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_DRILL_REQUEST_LOCK_NAMESPACE, tenant.schema_name]
            )
        if _drill_lock(tenant):  # no drill is running right now: any "running" one died with its worker
            _drill_unlock(tenant)
            _drill_orphans_fail(tenant)
        active = RestoreDrill.objects.filter(
            status__in=[RestoreDrill.Status.QUEUED, RestoreDrill.Status.RUNNING]
        ).first()
        if active is not None:
            raise DrillBusy(
                f"A restore drill is already {active.get_status_display().lower()} "
                f"(asked for by {active.requested_label or 'the schedule'}); wait for it to finish."
            )
        latest = BackupRecord.objects.filter(status=BackupRecord.Status.SUCCEEDED).order_by("-finished_at").first()
        if latest is None:
            raise BackupError("There is no backup to restore yet.")
        drill = RestoreDrill.objects.create(
            backup=latest,
            status=RestoreDrill.Status.QUEUED,
            requested_by=by,
            requested_label=by.get_username() if by is not None else "scheduled",
        )
        audit.record(
            actor=by,
            actor_label=drill.requested_label,
            action="backup.drill_requested",
            obj=drill,
            changes={"backup": [None, latest.slot]},
        )
        from ..tasks import restore_drill_run

        tenant_task_enqueue(restore_drill_run, args=[drill.pk], tenant=tenant)
    return drill


def restore_drill_execute(*, tenant: Tenant, drill_id: int) -> RestoreDrill | None:
    """The worker's half of a requested drill; a drill that already ended is left alone (a redelivered task)."""
    with schema_context(tenant.schema_name):
        drill = RestoreDrill.objects.select_related("backup").filter(pk=drill_id).first()
        if drill is None or not drill.in_progress:
            return drill
        try:
            return restore_drill(tenant=tenant, record=drill.backup, drill=drill)
        except DrillBusy as error:  # a drill started by a command holds the lock
            drill.status, drill.error, drill.finished_at = RestoreDrill.Status.FAILED, str(error), timezone.now()
            drill.save(update_fields=["status", "error", "finished_at"])
            return drill


def restore_drill(*, tenant: Tenant, record: BackupRecord, drill: RestoreDrill | None = None) -> RestoreDrill:
    """Restore into a scratch database, compare every table with the backup's fingerprint, time it.

    One drill per tenant at a time (an advisory lock held throughout); scratch databases an earlier,
    killed drill left are dropped first. Without ``drill`` (a command) one is recorded as "operator".
    """
    with schema_context(tenant.schema_name):
        if not _drill_lock(tenant):
            raise DrillBusy(f"A restore drill of {tenant.slug} is already running.")
        try:
            if drill is None:
                drill = RestoreDrill.objects.create(backup=record, requested_label="operator")
            _drill_orphans_fail(tenant, keep=drill)
            drill.status, drill.step = RestoreDrill.Status.RUNNING, RestoreDrill.Step.DECRYPTING
            drill.scratch_database = _scratch_name(tenant, drill)
            drill.save(update_fields=["status", "step", "scratch_database"])
            _drill_run(tenant, record, drill)
        finally:
            _drill_unlock(tenant)
        audit.record(
            actor=drill.requested_by,
            actor_label=drill.requested_label,
            action=f"backup.drill_{drill.status}",
            obj=drill,
            changes={"status": [None, drill.status], "backup": [None, record.slot]},
        )
    return drill


def _drill_step(drill: RestoreDrill, step: RestoreDrill.Step) -> None:
    drill.step = step
    RestoreDrill.objects.filter(pk=drill.pk).update(step=step)


def _drill_run(tenant: Tenant, record: BackupRecord, drill: RestoreDrill) -> None:
    started = time.monotonic()
    scratch = drill.scratch_database
    admin: psycopg.Connection | None = None
    try:
        admin = _drill_connect("postgres")
        _scratch_leftovers_drop(admin, tenant)
        with tempfile.TemporaryDirectory(prefix="isms-drill-") as tmp:
            workdir = Path(tmp)
            manifest = _archive_open(tenant, record, workdir)
            _drill_step(drill, RestoreDrill.Step.RESTORING)
            admin.execute(f'CREATE DATABASE "{scratch}"')
            with _drill_connect(scratch) as target, connection.cursor() as live:
                # Functions the schema's triggers call live in public (the audit trail's append-only guard).
                live.execute(
                    "SELECT pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE n.nspname = 'public' AND p.proname LIKE 'isms\\_%%'"
                )
                for (definition,) in live.fetchall():
                    target.execute(definition)
            subprocess.run(
                [
                    str(pg_tools() / "pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "-d",
                    scratch,
                    str(workdir / "archive" / "schema.dump"),
                ],
                env=_drill_pg_env(scratch),
                check=True,
                capture_output=True,
                text=True,
            )
            _drill_step(drill, RestoreDrill.Step.COMPARING)
            with _drill_connect(scratch) as target, target.cursor() as cursor:
                restored = schema_fingerprint(cursor, tenant.schema_name)
            expected: dict[str, object] = dict(cast(Mapping[str, object], manifest["tables"]))
            if restored != expected:
                differing = sorted(t for t in set(expected) | set(restored) if expected.get(t) != restored.get(t))
                raise BackupError(f"Restored content differs from the backup in: {', '.join(differing)}")
        drill.status = RestoreDrill.Status.PASSED
        drill.backup_age_seconds = (timezone.now() - (record.finished_at or timezone.now())).total_seconds()
        drill.tables_checked = len(expected)
    except SoftTimeLimitExceeded:
        drill.status = RestoreDrill.Status.FAILED
        drill.error = f"The drill took longer than {settings.RESTORE_DRILL_TIME_LIMIT} s and was stopped."
    except (BackupError, subprocess.CalledProcessError, OSError, psycopg.Error) as error:
        drill.status = RestoreDrill.Status.FAILED
        drill.error = _describe(error)
    finally:
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
            admin.close()
    drill.step = ""
    drill.restore_seconds = time.monotonic() - started
    drill.finished_at = timezone.now()
    drill.save()
