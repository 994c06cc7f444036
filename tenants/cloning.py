"""Create a tenant schema as a copy of the migrated template schema, in time independent of tenant count.

django-tenants' own clone function walks the whole catalogue: measured here it grew from
0.2 s to 1.5 s per tenant over the first 100 tenants, and it gives unique constraints
PostgreSQL's default names (a later migration removing them by name then fails). This
copy reads only the template's namespace and keeps every constraint and index name, so a
cloned schema is identical to a migrated one.
"""

import re

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.migrations.executor import MigrationExecutor
from django_tenants.utils import schema_context

# Constraint kinds in creation order: keys before the foreign keys that reference them.
_CONSTRAINT_ORDER = "pucxf"


class CloneError(RuntimeError):
    """The template holds something this copy does not know how to reproduce."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def schema_clone(*, source: str, target: str) -> None:
    """Create schema ``target`` with the tables, data, constraints, indexes and triggers of ``source``."""
    qualified = re.compile(rf"(?<![\w\"]){re.escape(_quote(source))}\.|(?<![\w\"]){re.escape(source)}\.")

    def retarget(definition: str) -> str:
        return qualified.sub(_quote(target) + ".", definition)

    src, dst = _quote(source), _quote(target)
    with connection.cursor() as cursor:
        cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [source])
        row = cursor.fetchone()
        if row is None:
            raise CloneError(f"template schema {source!r} does not exist")
        namespace = row[0]
        cursor.execute(f"CREATE SCHEMA {dst}")
        tables = _fetch_column(
            cursor,
            "SELECT relname FROM pg_class WHERE relnamespace = %s AND relkind IN ('r', 'p') ORDER BY relname",
            [namespace],
        )
        for table in tables:
            cursor.execute(
                f"CREATE TABLE {dst}.{_quote(table)} (LIKE {src}.{_quote(table)} "
                "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS)"
            )
        _refuse_foreign_sequences(cursor, target, source)
        for table in tables:
            _copy_rows(cursor, source, target, table)

        cursor.execute(
            "SELECT rel.relname, con.conname, con.contype, pg_get_constraintdef(con.oid) "
            "FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid "
            "WHERE rel.relnamespace = %s AND con.contype IN ('p', 'u', 'c', 'x', 'f') "
            "ORDER BY rel.relname, con.conname",
            [namespace],
        )
        constraints = sorted(cursor.fetchall(), key=lambda c: _CONSTRAINT_ORDER.index(c[2]))
        for table, name, _kind, definition in constraints:
            cursor.execute(f"ALTER TABLE {dst}.{_quote(table)} ADD CONSTRAINT {_quote(name)} {retarget(definition)}")

        # Indexes that no key or exclusion constraint owns.
        cursor.execute(
            "SELECT pg_get_indexdef(idx.indexrelid) FROM pg_index idx "
            "JOIN pg_class tbl ON tbl.oid = idx.indrelid WHERE tbl.relnamespace = %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = idx.indexrelid "
            "AND con.contype IN ('p', 'u', 'x')) ORDER BY 1",
            [namespace],
        )
        for (definition,) in cursor.fetchall():
            cursor.execute(retarget(definition))

        cursor.execute(
            "SELECT pg_get_triggerdef(trg.oid) FROM pg_trigger trg JOIN pg_class tbl ON tbl.oid = trg.tgrelid "
            "WHERE tbl.relnamespace = %s AND NOT trg.tgisinternal ORDER BY trg.tgname",
            [namespace],
        )
        for (definition,) in cursor.fetchall():
            cursor.execute(retarget(definition))


def schema_migrate_rest(*, schema: str) -> list[str]:
    """Run, for real, any migration the template lacked (normally none); return their names."""
    from django.core.management import call_command

    with schema_context(schema):
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        call_command("migrate_schemas", schema_name=schema, tenant=True, interactive=False, verbosity=0)
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def _fetch_column(cursor: CursorWrapper, sql: str, params: list[int]) -> list[str]:
    cursor.execute(sql, params)
    return [row[0] for row in cursor.fetchall()]


def _refuse_foreign_sequences(cursor: CursorWrapper, target: str, source: str) -> None:
    """A serial default copied by LIKE would still draw from the template's sequence."""
    cursor.execute(
        "SELECT rel.relname, pg_get_expr(def.adbin, def.adrelid) FROM pg_attrdef def "
        "JOIN pg_class rel ON rel.oid = def.adrelid JOIN pg_namespace ns ON ns.oid = rel.relnamespace "
        "WHERE ns.nspname = %s AND pg_get_expr(def.adbin, def.adrelid) LIKE 'nextval(%%'",
        [target],
    )
    shared = cursor.fetchall()
    if shared:
        raise CloneError(f"serial columns would share {source}'s sequences: {shared}; use identity columns")


def _copy_rows(cursor: CursorWrapper, source: str, target: str, table: str) -> None:
    cursor.execute(
        "SELECT att.attname, att.attidentity <> '' FROM pg_attribute att "
        "JOIN pg_class rel ON rel.oid = att.attrelid JOIN pg_namespace ns ON ns.oid = rel.relnamespace "
        "WHERE ns.nspname = %s AND rel.relname = %s AND att.attnum > 0 AND NOT att.attisdropped "
        "AND att.attgenerated = '' ORDER BY att.attnum",
        [source, table],
    )
    columns = cursor.fetchall()
    names = ", ".join(_quote(name) for name, _identity in columns)
    src, dst = f"{_quote(source)}.{_quote(table)}", f"{_quote(target)}.{_quote(table)}"
    cursor.execute(f"INSERT INTO {dst} ({names}) OVERRIDING SYSTEM VALUE SELECT {names} FROM {src}")  # noqa: S608 — identifiers from the catalogue, each quoted by _quote; no user input
    if cursor.rowcount <= 0:
        return
    for name, is_identity in columns:
        if is_identity:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), max({_quote(name)})) FROM {dst}",  # noqa: S608 — identifiers from the catalogue, each quoted by _quote; values are parameters
                [dst, name],
            )
