"""Restoring a backup in place: the live schema is replaced, checked, and put back if anything fails."""

import subprocess
import tempfile
from pathlib import Path

from django.db import connection
from django_tenants.utils import schema_context

from tenants import dbroles
from tenants.models import Tenant

from ..models import BackupRecord
from .archive import _archive_open
from .pg import BackupError, _connect, _describe, _pg_env, pg_tools, schema_fingerprint


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
                    counted = cursor.fetchone()
                    audit_events_after_backup = counted[0] if counted else 0
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
