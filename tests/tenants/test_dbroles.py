"""The database itself enforces least privilege and the separation of tenants.

The suite runs as the app role; each refusal below is PostgreSQL's, not the application's.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context

from tenants import dbroles
from tenants.models import Tenant, TenantKey


@contextmanager
def refused(*fragments: str) -> Iterator[None]:
    """The block fails with a privilege error naming one of ``fragments``; nothing it did stays."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        yield
    message = str(caught.value).lower()
    assert any(fragment in message for fragment in fragments), message


def run(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


NOT_OWNER = ("must be owner", "permission denied")


def test_the_suite_runs_as_the_app_role_which_is_no_superuser(db):
    ((user, superuser, createdb, createrole, bypassrls, inherit),) = run(
        "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, rolinherit "
        "FROM pg_roles WHERE rolname = current_user"
    )
    assert user == settings.DATABASES["default"]["USER"]
    assert user != settings.DATABASE_ROLES["owner"]["USER"]
    assert (superuser, createdb, createrole, bypassrls, inherit) == (False, False, False, False, False)


@pytest.mark.parametrize("schema", ["public", "acme"])
@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_change",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_event_no_change ON audit_auditevent",
        "CREATE OR REPLACE FUNCTION public.isms_audit_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        "TRUNCATE audit_auditevent",
        "UPDATE audit_auditevent SET action = 'rewritten'",
        "DELETE FROM audit_auditevent",
        "ALTER TABLE audit_auditevent OWNER TO CURRENT_USER",
    ],
)
def test_the_audit_trail_cannot_be_switched_off_or_rewritten(acme, schema, statement):
    with schema_context(schema), refused(*NOT_OWNER):
        run(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "SET session_replication_role = replica",
        "COPY (SELECT 1) TO PROGRAM 'id'",
        "CREATE ROLE intruder LOGIN SUPERUSER",
        "ALTER ROLE CURRENT_USER BYPASSRLS",
        "CREATE SCHEMA intruder",
        "CREATE TABLE public.intruder (id int)",
    ],
)
def test_superuser_powers_are_refused(db, statement):
    with refused("permission denied", "must be superuser", "only superusers", "must have"):
        run(statement)


def test_the_app_role_cannot_create_databases(db):
    with _login("app", "postgres") as app, pytest.raises(psycopg.errors.InsufficientPrivilege):
        app.execute('CREATE DATABASE "isms_stolen"')


def test_a_tenant_role_cannot_read_or_write_another_tenants_schema(acme, globex):
    with schema_context("acme"):
        assert run("SELECT current_user")[0][0] == dbroles.tenant_role("acme")
        assert run("SELECT count(*) FROM acme.accounts_user")[0][0] >= 1
        for statement in (
            "SELECT count(*) FROM globex.accounts_user",
            "SELECT count(*) FROM globex.audit_auditevent",
            "UPDATE globex.accounts_user SET full_name = 'taken over'",
            "INSERT INTO globex.audit_auditevent (kind) VALUES ('change')",
        ):
            with refused("permission denied"):
                run(statement)
        # Dropping the tenant role leaves the app role, which has no rights on any tenant schema.
        run("RESET ROLE")
        with refused("permission denied"):
            run("SELECT count(*) FROM acme.accounts_user")


def test_a_tenant_role_sees_only_its_own_public_rows(acme, globex):
    with schema_context("acme"):
        assert set(Tenant.objects.values_list("slug", flat=True)) == {"acme"}
        assert set(TenantKey.objects.values_list("tenant__slug", flat=True)) == {"acme"}
        assert not TenantKey.objects.filter(tenant__slug="globex").exists()
        assert run("SELECT count(*) FROM public.tenants_tenantkey WHERE tenant_id = %s", [globex.tenant.pk]) == [(0,)]
        with refused("permission denied"):
            run("UPDATE public.tenants_tenant SET name = 'renamed'")
    # In the public schema the app sees every tenant, as routing needs.
    assert {"acme", "globex"} <= set(Tenant.objects.values_list("slug", flat=True))


def test_activating_a_tenant_sets_path_and_role_and_public_resets_them(acme):
    with schema_context("acme"):
        assert run("SELECT current_user, current_setting('search_path')") == [
            (dbroles.tenant_role("acme"), "acme, public")
        ]
    assert run("SELECT current_user, current_setting('search_path')") == [
        (settings.DATABASES["default"]["USER"], "public")
    ]


def test_a_table_added_by_a_later_migration_is_granted_to_every_tenant(acme):
    with dbroles.as_owner(), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE acme.later_feature (id bigint GENERATED ALWAYS AS IDENTITY, note text)")
    try:
        # Rolled back at once: the owner's DROP below must not wait for this test's locks.
        with schema_context("acme"), transaction.atomic():
            assert run("SELECT count(*) FROM later_feature") == [(0,)]
            assert run("SELECT has_table_privilege('later_feature', 'INSERT, UPDATE, DELETE')") == [(True,)]
            transaction.set_rollback(True)
        with schema_context("globex"), refused("permission denied"):
            run("SELECT count(*) FROM acme.later_feature")
    finally:
        with dbroles.as_owner(), connection.cursor() as cursor:
            cursor.execute("DROP TABLE acme.later_feature")


def test_platform_migrate_restores_grants_a_tenant_lost(acme):
    from tenants import services

    role = dbroles.tenant_role("acme")
    with dbroles.as_owner(), connection.cursor() as cursor:
        cursor.execute(f'REVOKE SELECT ON acme.risks_risk FROM "{role}"')  # noqa: S608 — a role name of ours, not input
    with schema_context("acme"), refused("permission denied"):
        run("SELECT count(*) FROM risks_risk")
    services.platform_migrate()
    with schema_context("acme"):
        run("SELECT count(*) FROM risks_risk")


def test_a_new_tenant_gets_its_role_in_the_provisioning_transaction(db, worlds):
    from tenants import services

    services.tenant_provision(slug="initrole", name="Init Role", admin_email="a@initrole.example")
    role = dbroles.tenant_role("initrole")
    # Rolled back at once: deleting the tenant must not wait for this test's locks.
    with schema_context("initrole"), transaction.atomic():
        assert run("SELECT current_user")[0][0] == role
        assert run("SELECT count(*) FROM accounts_user") == [(1,)]
        with refused("permission denied"):
            run("SELECT count(*) FROM acme.accounts_user")
        transaction.set_rollback(True)
    services.tenant_delete(slug="initrole")
    assert run("SELECT count(*) FROM pg_roles WHERE rolname = %s", [role]) == [(0,)]


def _login(component: str, database: str | None = None) -> psycopg.Connection:
    params = settings.DATABASES["default"] if component == "app" else dbroles.component_settings(component)
    return psycopg.connect(
        dbname=database or params["NAME"],
        user=params["USER"],
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
        autocommit=True,
    )


def test_the_backup_role_reads_tenant_schemas_and_writes_nothing(acme):
    with _login("backup") as backup:
        (count,) = backup.execute("SELECT count(*) FROM acme.accounts_user").fetchone() or (0,)
        assert count >= 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            backup.execute("DELETE FROM acme.accounts_user")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            backup.execute("SELECT count(*) FROM public.tenants_tenantkey")


def test_the_drill_role_creates_scratch_databases_but_cannot_enter_the_live_one(db):
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        _login("drill")
    probe = f"{settings.DATABASES['default']['NAME']}_drill_probe"  # unique per test database on the cluster
    with _login("drill", "postgres") as drill:
        drill.execute(f'CREATE DATABASE "{probe}"')
        drill.execute(f'DROP DATABASE "{probe}"')


def test_db_roles_create_needs_the_admin_url_and_five_different_logins(db, settings):
    from django.core.management import CommandError, call_command

    settings.DATABASE_ADMIN = {}
    with pytest.raises(CommandError, match="DATABASE_ADMIN_URL"):
        call_command("db_roles_create")
    settings.DATABASE_ADMIN = {"USER": "postgres"}
    settings.DATABASE_ROLES = {**settings.DATABASE_ROLES, "backup": {}}
    with pytest.raises(CommandError, match="DATABASE_BACKUP_URL"):
        call_command("db_roles_create")
    settings.DATABASE_ROLES = {**settings.DATABASE_ROLES, "backup": {"USER": settings.DATABASES["default"]["USER"]}}
    with pytest.raises(CommandError, match="five different roles"):
        call_command("db_roles_create")


def test_check_deploy_warns_when_the_components_share_one_login(settings):
    from core.checks import database_roles_check

    assert database_roles_check() == []
    settings.DATABASE_ROLES = {**settings.DATABASE_ROLES, "owner": {}}
    (warning,) = database_roles_check()
    assert warning.id == "isms.W010" and "owner" in warning.msg
