"""Backing up a tenant (schema dump + files, encrypted) and pruning old archives."""

import datetime as dt
import json
import subprocess
import tarfile
import tempfile
import uuid
from pathlib import Path

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants import crypto
from tenants.models import Tenant

from ..models import BackupRecord
from ..store import BackupStore
from .archive import _files_add
from .pg import BackupError, _describe, _pg_env, pg_tools, schema_fingerprint

RTO = dt.timedelta(hours=4)


RPO = dt.timedelta(hours=24)


# Advisory-lock namespace of running backups: one per schema, held for the whole backup.
_LOCK_NAMESPACE = 0xBAC0


def backup_tenant(*, tenant: Tenant, slot: str | None = None) -> BackupRecord:
    """Back up one tenant for one slot; a second call for the same slot returns the first backup."""
    slot = slot or timezone.localdate().isoformat()
    with schema_context(tenant.schema_name):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))", [_LOCK_NAMESPACE, tenant.schema_name])
            if not cursor.fetchone()[0]:
                raise BackupError(f"A backup of {tenant.slug} is already running.")
        try:
            _orphans_clean(tenant)
            try:
                with transaction.atomic():
                    record = BackupRecord.objects.create(
                        slot=slot, object_name=f"{tenant.slug}-{slot}-{uuid.uuid4().hex[:8]}.tar.enc"
                    )
            except IntegrityError:
                return BackupRecord.objects.exclude(status=BackupRecord.Status.FAILED).get(slot=slot)
            return _backup_run(tenant, record)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", [_LOCK_NAMESPACE, tenant.schema_name])


def _orphans_clean(tenant: Tenant) -> None:
    """Backups still "running" while we hold the lock belong to a worker that died: fail and clean them."""
    store = BackupStore(tenant)
    for orphan in BackupRecord.objects.filter(status=BackupRecord.Status.RUNNING):
        store.delete(orphan.object_name)
        orphan.status = BackupRecord.Status.FAILED
        orphan.error = "The worker stopped before the backup finished; its partial archive was removed."
        orphan.finished_at = timezone.now()
        orphan.save(update_fields=["status", "error", "finished_at"])


def _backup_run(tenant: Tenant, record: BackupRecord) -> BackupRecord:
    store = BackupStore(tenant)
    try:
        with tempfile.TemporaryDirectory(prefix="isms-backup-") as tmp:
            workdir = Path(tmp)
            dump = workdir / "schema.dump"
            subprocess.run(
                [str(pg_tools() / "pg_dump"), "-Fc", "-n", tenant.schema_name, "-f", str(dump)],
                env=_pg_env(role="backup"),
                check=True,
                capture_output=True,
                text=True,
            )
            with connection.cursor() as cursor:
                fingerprint = schema_fingerprint(cursor.cursor, tenant.schema_name)
            archive_path = workdir / "archive.tar"
            with tarfile.open(archive_path, "w") as archive:
                archive.add(dump, arcname="schema.dump")
                files = _files_add(archive, tenant, workdir)
                manifest = {
                    "format": 1,
                    "schema": tenant.schema_name,
                    "slug": tenant.slug,
                    # A schema dump leaves out the public rows that make it a tenant (pitfall 10).
                    "tenant": {
                        "name": tenant.name,
                        "domains": [d.domain for d in tenant.domains.all()],
                        "time_zone": tenant.time_zone,
                    },
                    "tables": fingerprint,
                    "files": files,
                    "taken_at": timezone.now().isoformat(),
                }
                manifest_path = workdir / "manifest.json"
                manifest_path.write_text(json.dumps(manifest, sort_keys=True))
                archive.add(manifest_path, arcname="manifest.json")
            encrypted = workdir / "archive.tar.enc"
            with archive_path.open("rb") as source, encrypted.open("wb") as sink:
                result = crypto.encrypt_stream(tenant=tenant, object_name=record.object_name, source=source, sink=sink)
            store.put(record.object_name, encrypted)
    except Exception as error:  # any failure is recorded; nothing half-written stays
        store.delete(record.object_name)
        record.status = BackupRecord.Status.FAILED
        record.error = _describe(error)
        record.finished_at = timezone.now()
        record.save(update_fields=["status", "error", "finished_at"])
        return record
    record.status = BackupRecord.Status.SUCCEEDED
    record.size = result.size
    record.sha256 = result.sha256
    record.key_id = result.key_id
    record.manifest = {key: manifest[key] for key in ("format", "schema", "tables", "files", "taken_at")}
    record.finished_at = timezone.now()
    record.save()
    return record


def backups_prune(*, tenant: Tenant, now: dt.datetime | None = None) -> int:
    """Delete archives older than the retention window; their records stay, marked pruned."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=tenant.retention_days)
    store = BackupStore(tenant)
    pruned = 0
    with schema_context(tenant.schema_name):
        for record in BackupRecord.objects.filter(status=BackupRecord.Status.SUCCEEDED, finished_at__lt=cutoff):
            store.delete(record.object_name)
            record.status = BackupRecord.Status.PRUNED
            record.pruned_at = now
            record.save(update_fields=["status", "pruned_at"])
            pruned += 1
    return pruned
