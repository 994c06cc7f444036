"""PostgreSQL for backups: client tools matching the server, connections as a role, the schema fingerprint."""

import os
import re
import subprocess
from pathlib import Path

import psycopg
from django.db import connection

from tenants import dbroles

PGSERVER_BIN = Path(str(__import__("pgserver").__file__)).parent / "pginstall" / "bin"


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why, for a person."""


def _describe(error: Exception) -> str:
    if isinstance(error, subprocess.CalledProcessError):
        return f"{error.cmd[0]} failed: {(error.stderr or '').strip()[:2000]}"
    return f"{type(error).__name__}: {error}"[:2000]


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
        found = cursor.fetchone()
        if found is None:  # an aggregate always answers one row
            raise BackupError(f"No fingerprint for {schema}.{table}")
        count, checksum = found
        result[table] = {"rows": count, "digest": str(checksum)}
    return result
