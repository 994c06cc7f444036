"""Backing up a tenant (schema dump + files, encrypted), pruning old archives, restore drills and restoring in place.

One module per step: ``pg`` (PostgreSQL client tools and connections), ``archive`` (the archive format),
``backup``, ``drill`` and ``restore``. Callers use this package (``from backups import services``); a test that
replaces a helper patches it in the module that calls it (``services.drill.pg_tools``).
"""

from . import archive, backup, drill, pg, restore
from .archive import _archive_open
from .backup import RPO, RTO, backup_tenant, backups_prune
from .drill import DrillBusy, restore_drill, restore_drill_execute, restore_drill_request
from .pg import PGSERVER_BIN, BackupError, _connect, _pg_env, pg_tools, schema_fingerprint
from .restore import restore_in_place

__all__ = [
    "PGSERVER_BIN",
    "RPO",
    "RTO",
    "BackupError",
    "DrillBusy",
    "_archive_open",
    "_connect",
    "_pg_env",
    "archive",
    "backup",
    "backup_tenant",
    "backups_prune",
    "drill",
    "pg",
    "pg_tools",
    "restore",
    "restore_drill",
    "restore_drill_execute",
    "restore_drill_request",
    "restore_in_place",
    "schema_fingerprint",
]
