"""Least-privilege PostgreSQL roles: one login per component, one NOLOGIN role per tenant.

| role        | logs in | may                                                                          |
|-------------|---------|------------------------------------------------------------------------------|
| owner       | yes     | owns schemas, tables, functions and triggers; migrations, provisioning,      |
|             |         | deletion and in-place restore only (``as_owner()``)                          |
| app         | yes     | web and workers: DML on the public tables (audit: INSERT/SELECT only) and    |
|             |         | ``SET ROLE`` to a tenant role, whose rights it does not inherit (NOINHERIT)   |
| backup      | yes     | reads tenant schemas for ``pg_dump``                                         |
| drill       | yes     | creates and drops scratch databases; nothing in the live database            |
| tenant role | no      | DML on its own schema (audit: INSERT/SELECT), SELECT on its own public rows  |

Activating a tenant sets ``search_path`` and ``ROLE`` in one round trip (see
``tenants.postgresql_backend``), so a query in tenant A's context cannot reach tenant
B's schema or B's key row: PostgreSQL refuses it.
"""

import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

COMPONENTS = ("owner", "backup", "drill")
# Tables whose rows are history: the app and tenant roles may add and read, never change.
APPEND_ONLY_TABLES = ("audit_auditevent",)
# Public tables a tenant role reads, each limited to the tenant's own rows by row-level security:
# table -> SQL expression giving the schema name of the row's tenant.
TENANT_ROWS = {
    "tenants_tenant": "schema_name",
    "tenants_domain": "(SELECT t.schema_name FROM public.tenants_tenant t WHERE t.id = tenant_id)",
    "tenants_tenantkey": "(SELECT t.schema_name FROM public.tenants_tenant t WHERE t.id = tenant_id)",
}
# The tenant's own settings, which its Admin changes from inside the tenant (all other columns of
# its row, such as its schema, slug and status, stay the platform's).
TENANT_SETTINGS_COLUMNS = ("time_zone", "backup_retention_days", "require_two_factor", "session_idle_minutes")
_ROLE_FUNCTION = "isms_tenant_role"
# Django's cursor or a bare psycopg one (the embedded set-up runs before Django is).
Cursor = Any


def _database_name() -> str:
    return str(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"])


def tenant_role(schema: str, *, database: str | None = None) -> str:
    """The NOLOGIN role of a tenant schema; role names are per cluster, so the database is in it."""
    database = database or _database_name()
    name = f"{database}__{schema}"
    if len(name) <= 63:
        return name
    return f"{database[:40]}__{hashlib.md5(schema.encode(), usedforsecurity=False).hexdigest()[:16]}"


def component_settings(component: str) -> dict[str, Any]:
    """Connection settings of ``owner``, ``backup`` or ``drill`` for the database in use."""
    if component not in COMPONENTS:
        raise ValueError(component)
    base = connections[DEFAULT_DB_ALIAS].settings_dict
    own: Mapping[str, Any] = settings.DATABASE_ROLES.get(component) or {}
    return {**base, **{key: own[key] for key in ("USER", "PASSWORD", "HOST", "PORT", "OPTIONS") if key in own}}


def app_user() -> str:
    return str(settings.DATABASES[DEFAULT_DB_ALIAS]["USER"])


@contextmanager
def connected_as(overrides: Mapping[str, Any]) -> Iterator[None]:
    """Run the block with the default connection replaced by a fresh one with ``overrides``.

    The replaced connection (with any transaction it has open) is left untouched and comes
    back afterwards; work done in the block commits on its own connection.
    """
    original = connections[DEFAULT_DB_ALIAS]
    settings_dict = {**original.settings_dict, **overrides, "TENANT_ROLES": False}
    replacement = original.__class__(settings_dict, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = replacement
    try:
        yield
    finally:
        replacement.close()
        connections[DEFAULT_DB_ALIAS] = original


@contextmanager
def as_owner() -> Iterator[None]:
    """The owner/migrator for migrations, provisioning, deletion and restores; never for a request."""
    owner = component_settings("owner")
    current = connections[DEFAULT_DB_ALIAS].settings_dict
    if current.get("TENANT_ROLES") is False:
        yield  # already the owner (or a superuser)
        return
    with connected_as({key: owner[key] for key in ("USER", "PASSWORD", "HOST", "PORT", "OPTIONS")}):
        yield


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def role_function_ensure(cursor: Cursor) -> None:
    """``isms_tenant_role(schema)``: the role name of a schema, as ``tenant_role`` computes it."""
    cursor.execute(
        f"""
        CREATE OR REPLACE FUNCTION public.{_ROLE_FUNCTION}(schema text) RETURNS name
        LANGUAGE sql STABLE AS $$
            SELECT CASE WHEN length(current_database() || '__' || schema) <= 63
                THEN (current_database() || '__' || schema)::name
                ELSE (left(current_database(), 40) || '__' || left(md5(schema), 16))::name END
        $$
        """
    )


def public_grants_apply(cursor: Cursor) -> None:
    """As the owner: the app role's rights on the public schema and the row-level security of
    the public tables that hold per-tenant rows. Idempotent; run after every migration."""
    app = _q(app_user())
    role_function_ensure(cursor)
    cursor.execute(f"GRANT USAGE ON SCHEMA public TO {app}")
    cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}")
    cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}")
    for table in APPEND_ONLY_TABLES:
        cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON public.{_q(table)} FROM {app}")
    # Row-level security is set once (changing it locks the table against every reader).
    cursor.execute(
        "SELECT c.relname, c.relrowsecurity, array(SELECT p.polname::text FROM pg_policy p WHERE p.polrelid = c.oid) "
        "FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(%s)",
        [list(TENANT_ROWS)],
    )
    present = {table: (enabled, set(policies)) for table, enabled, policies in cursor.fetchall()}
    for table, schema_of_row in TENANT_ROWS.items():
        enabled, policies = present[table]
        if not enabled:
            cursor.execute(f"ALTER TABLE public.{_q(table)} ENABLE ROW LEVEL SECURITY")
        own = f"public.{_ROLE_FUNCTION}({schema_of_row}) = current_user"
        for policy, definition in (
            ("isms_platform", f"FOR ALL TO {app} USING (true) WITH CHECK (true)"),
            ("isms_own_tenant", f"FOR SELECT TO PUBLIC USING ({own})"),
            ("isms_own_settings", f"FOR UPDATE TO PUBLIC USING ({own}) WITH CHECK ({own})"),
        ):
            if policy not in policies:
                cursor.execute(f"CREATE POLICY {policy} ON public.{_q(table)} {definition}")


def tenant_role_ensure(cursor: Cursor, schema: str) -> str:
    """As the owner: the tenant's role with rights on its own schema only; idempotent.

    Also sets default privileges, so a table a later migration adds is granted too.
    """
    role = tenant_role(schema)
    cursor.execute("SELECT current_user")
    owner = cursor.fetchone()[0]
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone() is None:
        cursor.execute(f"CREATE ROLE {_q(role)} NOLOGIN NOINHERIT")
    cursor.execute(f"GRANT {_q(role)} TO {_q(app_user())}")
    dml = "SELECT, INSERT, UPDATE, DELETE"
    s = _q(schema)
    cursor.execute(f"GRANT USAGE ON SCHEMA {s} TO {_q(role)}")
    cursor.execute(f"GRANT {dml} ON ALL TABLES IN SCHEMA {s} TO {_q(role)}")
    cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {_q(role)}")
    cursor.execute(f"ALTER DEFAULT PRIVILEGES FOR ROLE {_q(owner)} IN SCHEMA {s} GRANT {dml} ON TABLES TO {_q(role)}")
    cursor.execute(
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {_q(owner)} IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {_q(role)}"
    )
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename = ANY(%s)",
        [schema, list(APPEND_ONLY_TABLES)],
    )
    for (table,) in cursor.fetchall():
        cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {s}.{_q(table)} FROM {_q(role)}")
    cursor.execute(f"GRANT SELECT ON {', '.join('public.' + _q(t) for t in TENANT_ROWS)} TO {_q(role)}")
    settings_columns = ", ".join(_q(column) for column in TENANT_SETTINGS_COLUMNS)
    cursor.execute(f"GRANT UPDATE ({settings_columns}) ON public.tenants_tenant TO {_q(role)}")
    backup = component_settings("backup")["USER"]
    if backup != owner:
        cursor.execute(f"GRANT USAGE ON SCHEMA {s} TO {_q(backup)}")
        cursor.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {_q(backup)}")
        cursor.execute(f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {_q(backup)}")
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {_q(owner)} IN SCHEMA {s} GRANT SELECT ON TABLES TO {_q(backup)}"
        )
    return role


def tenant_role_drop(cursor: Cursor, schema: str) -> None:
    """As the owner, after the schema is dropped: the tenant's role and its public grants."""
    role = tenant_role(schema)
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone() is None:
        return
    cursor.execute(f"REVOKE ALL ON {', '.join('public.' + _q(t) for t in TENANT_ROWS)} FROM {_q(role)}")
    cursor.execute(f"DROP ROLE {_q(role)}")


def roles_bootstrap(cursor: Cursor, *, database: str, logins: Mapping[str, Mapping[str, str]]) -> None:
    """As a superuser (once per database): create the component logins and hand the database
    to the owner. ``logins`` maps ``owner``/``app``/``backup``/``drill`` to USER/PASSWORD."""
    attributes = {
        "owner": "NOSUPERUSER NOCREATEDB CREATEROLE NOBYPASSRLS",
        "app": "NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT",
        "backup": "NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS",
        "drill": "NOSUPERUSER CREATEDB NOCREATEROLE NOBYPASSRLS",
    }
    for component, attrs in attributes.items():
        user, password = logins[component]["USER"], logins[component].get("PASSWORD", "")
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [user])
        verb = "ALTER" if cursor.fetchone() else "CREATE"
        cursor.execute(f"{verb} ROLE {_q(user)} LOGIN {attrs}")
        if password:
            cursor.execute(f"ALTER ROLE {_q(user)} PASSWORD {_literal(password)}")
    db, owner = _q(database), _q(logins["owner"]["USER"])
    cursor.execute(f"ALTER DATABASE {db} OWNER TO {owner}")
    cursor.execute(f"ALTER SCHEMA public OWNER TO {owner}")
    cursor.execute(f"REVOKE ALL ON DATABASE {db} FROM PUBLIC")
    for component in ("app", "backup"):
        cursor.execute(f"GRANT CONNECT ON DATABASE {db} TO {_q(logins[component]['USER'])}")
    cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    _ownership_transfer(cursor, logins["owner"]["USER"])


def _ownership_transfer(cursor: Cursor, owner: str) -> None:
    """Objects made before the roles existed (an older installation) pass to the owner."""
    cursor.execute(
        "SELECT n.nspname FROM pg_namespace n WHERE n.nspname !~ '^(pg_|information_schema)' "
        "AND pg_get_userbyid(n.nspowner) <> %s",
        [owner],
    )
    for (schema,) in cursor.fetchall():
        cursor.execute(f"ALTER SCHEMA {_q(schema)} OWNER TO {_q(owner)}")
    cursor.execute(
        "SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname !~ '^(pg_|information_schema)' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') "
        "AND pg_get_userbyid(c.relowner) <> %s "
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))",
        [owner],
    )
    for schema, name, kind in cursor.fetchall():
        verb = {"S": "SEQUENCE", "v": "VIEW", "m": "MATERIALIZED VIEW"}.get(kind, "TABLE")
        cursor.execute(f"ALTER {verb} {_q(schema)}.{_q(name)} OWNER TO {_q(owner)}")
    cursor.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = 'public' AND p.proname LIKE 'isms\\_%%' AND pg_get_userbyid(p.proowner) <> %s",
        [owner],
    )
    for (signature,) in cursor.fetchall():
        cursor.execute(f"ALTER FUNCTION {signature} OWNER TO {_q(owner)}")


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
