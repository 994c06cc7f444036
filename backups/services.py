"""Backing up a tenant (schema dump + files, encrypted), pruning old archives, and restore drills."""

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import tarfile
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import schema_context

import audit
from accounts.models import User
from core import storage
from core.fanout import tenant_task_enqueue
from tenants import crypto, dbroles
from tenants.models import Tenant

from .models import BackupRecord, RestoreDrill
from .store import BackupStore

RTO = dt.timedelta(hours=4)
RPO = dt.timedelta(hours=24)
# Advisory-lock namespace of running backups: one per schema, held for the whole backup.
_LOCK_NAMESPACE = 0xBAC0
PGSERVER_BIN = Path(str(__import__("pgserver").__file__)).parent / "pginstall" / "bin"


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why, for a person."""


# --- PostgreSQL client tools ------------------------------------------------------------


def pg_tools() -> Path:
    """A bin folder whose pg_dump/pg_restore are at least the server's major version (pitfall 9)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        server_major = int(cursor.fetchone()[0]) // 10000
    candidates: list[tuple[int, Path]] = []
    for folder in [PGSERVER_BIN, *Path("/usr/lib/postgresql").glob("*/bin")]:
        tool = folder / "pg_dump"
        if tool.exists():
            version = subprocess.run([str(tool), "--version"], capture_output=True, text=True, check=True).stdout
            match = re.search(r"(\d+)\.", version)
            if match:
                candidates.append((int(match.group(1)), folder))
    usable = sorted(item for item in candidates if item[0] >= server_major)
    if not usable:
        raise BackupError(f"No pg_dump of PostgreSQL {server_major} or newer is installed.")
    return usable[0][1]


def _pg_env(database: str | None = None, *, role: str) -> dict[str, str]:
    """libpq variables for the ``backup``, ``drill`` or ``owner`` login (tenants/dbroles.py)."""
    params = dbroles.component_settings(role)
    host = params.get("HOST") or params.get("OPTIONS", {}).get("host", "")
    env = {**os.environ, "PGUSER": params.get("USER") or "", "PGDATABASE": database or params["NAME"]}
    if host:
        env["PGHOST"] = str(host)
    if params.get("PORT"):
        env["PGPORT"] = str(params["PORT"])
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = params["PASSWORD"]
    return env


def _connect(database: str, *, role: str) -> psycopg.Connection:
    env = _pg_env(database, role=role)
    return psycopg.connect(
        dbname=database,
        user=env["PGUSER"],
        host=env.get("PGHOST"),
        port=env.get("PGPORT"),
        password=env.get("PGPASSWORD"),
        autocommit=True,
    )


# --- the content a backup must reproduce ------------------------------------------------


def schema_fingerprint(cursor: psycopg.Cursor, schema: str) -> dict[str, dict[str, object]]:
    """Row count and a checksum of every table's content, compared after a restore."""
    # The text form of timestamps and dates depends on these session settings: pin them.
    cursor.execute("SET TimeZone = 'UTC'")
    cursor.execute("SET DateStyle = 'ISO, YMD'")
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [schema])
    tables = [row[0] for row in cursor.fetchall()]
    result: dict[str, dict[str, object]] = {}
    for table in tables:
        # A sum of per-row hashes: order-independent and constant in memory (aggregating the
        # table's text into one string would need the whole table in one server process).
        cursor.execute(
            "SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint::numeric), 0) "
            f'FROM "{schema}"."{table}" t'
        )
        count, checksum = cursor.fetchone()  # type: ignore[misc]
        result[table] = {"rows": count, "digest": str(checksum)}
    return result


def _files_add(archive: tarfile.TarFile, tenant: Tenant, workdir: Path) -> int:
    """The tenant's stored files, from its container or folder, under files/ in the archive."""
    count = 0
    if settings.AZURE_STORAGE_CONNECTION_STRING:
        from azure.storage.blob import BlobServiceClient

        service = BlobServiceClient.from_connection_string(settings.AZURE_STORAGE_CONNECTION_STRING)
        container = service.get_container_client(storage.container_name(tenant.slug, storage.FILES))
        for blob in container.list_blobs():
            local = workdir / "blob"
            with local.open("wb") as handle:
                container.download_blob(blob.name).readinto(handle)
            archive.add(local, arcname=f"files/{blob.name}")
            count += 1
    else:
        folder = storage.local_folder(tenant.schema_name, storage.FILES)
        if folder.exists():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                archive.add(path, arcname=f"files/{path.relative_to(folder)}")
                count += 1
    return count


# --- backup -----------------------------------------------------------------------------


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


def _describe(error: Exception) -> str:
    if isinstance(error, subprocess.CalledProcessError):
        return f"{error.cmd[0]} failed: {(error.stderr or '').strip()[:2000]}"
    return f"{type(error).__name__}: {error}"[:2000]


# --- retention --------------------------------------------------------------------------


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


# --- restore drill ----------------------------------------------------------------------


def _archive_open(tenant: Tenant, record: BackupRecord, workdir: Path) -> dict[str, object]:
    """Fetch, check and decrypt an archive; refuse anything tampered, truncated or foreign."""
    store = BackupStore(tenant)
    if not store.exists(record.object_name):
        raise BackupError("The archive is no longer in storage (pruned or deleted).")
    encrypted = workdir / "archive.tar.enc"
    with encrypted.open("wb") as handle:
        store.open(record.object_name, handle)
    digest = hashlib.sha256()
    with encrypted.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != record.sha256:
        raise BackupError("The archive does not match the checksum recorded at backup time: refused.")
    archive_path = workdir / "archive.tar"
    try:
        with encrypted.open("rb") as source, archive_path.open("wb") as sink:
            crypto.decrypt_stream(tenant=tenant, object_name=record.object_name, source=source, sink=sink)
    except crypto.CryptoError as error:
        archive_path.unlink(missing_ok=True)
        raise BackupError(f"The archive cannot be decrypted: {error}") from error
    with tarfile.open(archive_path) as archive:
        archive.extractall(workdir / "archive", filter="data")
    manifest = json.loads((workdir / "archive" / "manifest.json").read_text())
    if manifest.get("schema") != tenant.schema_name:
        raise BackupError("The archive belongs to another tenant: refused.")
    return dict(manifest)


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
        from .tasks import restore_drill_run

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
            expected: dict[str, object] = dict(manifest["tables"])  # type: ignore[call-overload]
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


# --- restore in place -------------------------------------------------------------------


def restore_in_place(*, tenant: Tenant, record: BackupRecord) -> None:
    """Replace the tenant's live schema with a backup; on any failure the live schema comes back.

    The live schema is renamed aside first (not dropped), the backup restored and verified
    against its fingerprint, and only then is the old schema dropped. Meanwhile the tenant
    shows a maintenance page. Backup and drill records are carried over from the live schema,
    so the history of backups is not rewound with the data; so is the audit trail, whole: the
    live table, which holds the backup's events and every later one, replaces the backup's copy,
    and an event naming the restore continues its chain.
    """
    schema = tenant.schema_name
    aside = f"{schema}__before_restore"[:63]
    with tempfile.TemporaryDirectory(prefix="isms-restore-") as tmp:
        workdir = Path(tmp)
        manifest = _archive_open(tenant, record, workdir)  # refuses before anything changes
        previous_status = tenant.status
        Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.MAINTENANCE)
        admin = _connect(connection.settings_dict["NAME"], role="owner")
        try:
            admin.execute(f'DROP SCHEMA IF EXISTS "{aside}" CASCADE')
            admin.execute(f'ALTER SCHEMA "{schema}" RENAME TO "{aside}"')
            try:
                subprocess.run(
                    [
                        str(pg_tools() / "pg_restore"),
                        "--no-owner",
                        "--no-privileges",
                        "--exit-on-error",
                        "-d",
                        connection.settings_dict["NAME"],
                        str(workdir / "archive" / "schema.dump"),
                    ],
                    env=_pg_env(role="owner"),
                    check=True,
                    capture_output=True,
                    text=True,
                )
                with admin.cursor() as cursor:
                    restored = schema_fingerprint(cursor, schema)
                    # Restored without privileges: the tenant's role gets its rights on the new tables.
                    dbroles.tenant_role_ensure(cursor, schema)
                if restored != manifest["tables"]:
                    raise BackupError("The restored schema does not match the backup; the live schema was put back.")
                with admin.transaction():
                    for table in ("backups_restoredrill", "backups_backuprecord"):
                        admin.execute(f'DELETE FROM "{schema}".{table}')
                    for table in ("backups_backuprecord", "backups_restoredrill"):
                        admin.execute(f'INSERT INTO "{schema}".{table} SELECT * FROM "{aside}".{table}')
                        admin.execute(
                            f"SELECT setval(pg_get_serial_sequence('\"{schema}\".{table}', 'id'), "
                            f'coalesce((SELECT max(id) FROM "{schema}".{table}), 1))'
                        )
                    # The append-only trail cannot be emptied and refilled (its trigger refuses), and needs
                    # not be: the live table is moved over whole, with its triggers, indexes and id sequence.
                    cursor = admin.execute(
                        f'SELECT count(*) FROM "{aside}".audit_auditevent '
                        f'WHERE id > (SELECT coalesce(max(id), 0) FROM "{schema}".audit_auditevent)'
                    )
                    audit_events_after_backup = cursor.fetchone()[0]  # type: ignore[index]
                    admin.execute(f'DROP TABLE "{schema}".audit_auditevent')
                    admin.execute(f'ALTER TABLE "{aside}".audit_auditevent SET SCHEMA "{schema}"')
                    # In the same transaction: a failure here must not leave the moved trail in a schema
                    # that the recovery below drops.
                    admin.execute(f'DROP SCHEMA "{aside}" CASCADE')
            except Exception as error:
                admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                admin.execute(f'ALTER SCHEMA "{aside}" RENAME TO "{schema}"')
                if isinstance(error, BackupError):
                    raise
                raise BackupError(f"Restore failed ({_describe(error)}); the live schema was put back.") from error
        finally:
            admin.close()
            Tenant.objects.filter(pk=tenant.pk).update(status=previous_status)
            if not connection.in_atomic_block:
                connection.close()  # start afresh on the schema that is live now
    with schema_context(schema):
        import audit

        audit.record(
            actor=None,
            actor_label="operator",
            action="backup.restored_in_place",
            obj=record,
            changes={"backup": [None, record.slot], "audit_events_after_backup": [None, audit_events_after_backup]},
        )
