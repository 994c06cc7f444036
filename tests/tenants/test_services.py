"""Provisioning a tenant: by cloning the template, all or nothing, with clear refusals."""

import io

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from accounts import services as account_services
from accounts.models import User
from accounts.roles import Role
from tenants import services
from tenants.models import Domain, Tenant


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_tenant_create_makes_schema_domain_roles_and_admin_with_a_link(db, worlds):
    output = run("tenant_create", "--slug", "initech", "--name", "Initech AB", "--admin-email", "CISO@Initech.example")

    tenant = Tenant.objects.get(slug="initech")
    assert tenant.name == "Initech AB"
    assert schema_exists("initech")
    assert Domain.objects.get(tenant=tenant).domain == "initech.localhost"
    assert "http://initech.localhost/accounts/set-password/" in output
    with schema_context("initech"):
        admin = User.objects.get()
        assert admin.email == "ciso@initech.example"
        assert admin.role_names == ["Admin"]
        assert not admin.has_usable_password()
        assert set(Role.values) <= set(Group.objects.values_list("name", flat=True))


def test_set_password_link_works_once(db, worlds):
    provisioned = services.tenant_provision(slug="initech", name="Initech", admin_email="a@initech.example")
    path = provisioned.set_password_url.removeprefix("http://initech.localhost")
    client = worlds["acme"].client()
    host = {"HTTP_HOST": "initech.localhost"}

    form_page = client.get(path, follow=True, **host)
    assert "Choose a password" in form_page.content.decode()
    form_url = form_page.redirect_chain[-1][0]
    weak = client.post(form_url, {"new_password1": "short", "new_password2": "short"}, **host)
    assert "This password is too short" in weak.content.decode()

    done = client.post(form_url, {"new_password1": "a-long-enough-pass", "new_password2": "a-long-enough-pass"}, **host)
    assert done.status_code == 302
    login = client.post("/login/", {"username": "a@initech.example", "password": "a-long-enough-pass"}, **host)
    assert login.status_code == 302

    again = client.get(path, follow=True, **host).content.decode()
    assert "This link no longer works" in again


def test_duplicate_slug_is_refused_and_changes_nothing(acme):
    tenants_before = list(Tenant.objects.values_list("slug", flat=True))
    with pytest.raises(CommandError, match="already exists"):
        run("tenant_create", "--slug", "acme", "--name", "Other", "--admin-email", "x@other.example")
    assert list(Tenant.objects.values_list("slug", flat=True)) == tenants_before
    assert Tenant.objects.get(slug="acme").name == "Acme AB"
    with schema_context("acme"):
        assert not User.objects.filter(email="x@other.example").exists()


@pytest.mark.parametrize(
    "slug, message",
    [
        ("Acme", "lowercase letters"),
        ("acme corp", "lowercase letters"),
        ("acme_corp", "lowercase letters"),
        ("-acme", "lowercase letters"),
        ("acme-", "lowercase letters"),
        ("ac--me", "lowercase letters"),
        ("1acme", "lowercase letters"),
        ("ab", "3 to"),
        ("a" * 56, "3 to 55"),
        ("public", "reserved"),
        ("www", "reserved"),
        ("admin", "reserved"),
        ("pg-catalog", "reserved"),
        ("tenant-template", "reserved"),
    ],
)
def test_invalid_slugs_are_refused_with_a_clear_message(db, worlds, slug, message):
    schemas_before, tenants_before = _schemas(), Tenant.objects.count()
    with pytest.raises(CommandError, match=message):
        run("tenant_create", f"--slug={slug}", "--name", "X", "--admin-email", "x@x.example")
    assert Tenant.objects.count() == tenants_before
    assert _schemas() == schemas_before


def test_longest_valid_slug_fits_schema_and_container_names(db, worlds):
    slug = "a" * services.SLUG_MAX_LENGTH
    services.tenant_provision(slug=slug, name="Long", admin_email="x@long.example")
    assert schema_exists(slug)
    assert len(f"{slug}-backups") == 63


def test_invalid_admin_email_is_refused_before_anything_is_written(db, worlds):
    with pytest.raises(CommandError, match="not a valid e-mail address"):
        run("tenant_create", "--slug", "initech", "--name", "X", "--admin-email", "not-an-email")
    assert not Tenant.objects.filter(slug="initech").exists()
    assert not schema_exists("initech")


def test_failure_midway_leaves_no_tenant_row_nor_schema(db, worlds, monkeypatch):
    def broken_user_create(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(account_services, "user_create", broken_user_create)
    with pytest.raises(RuntimeError):
        services.tenant_provision(slug="initech", name="X", admin_email="x@initech.example")
    assert not Tenant.objects.filter(slug="initech").exists()
    assert not Domain.objects.filter(domain="initech.localhost").exists()
    assert not schema_exists("initech")


@pytest.mark.usefixtures("as_database_superuser")  # the template belongs to the owner
def test_cloned_schema_equals_a_migrated_schema(db, worlds):
    services.tenant_provision(slug="cloned", name="Cloned", admin_email="x@cloned.example")
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "migrated"')
    call_command("migrate_schemas", schema_name="migrated", tenant=True, interactive=False, verbosity=0)

    cloned, migrated = _shape("cloned"), _shape("migrated")
    assert cloned["tables"] and cloned == migrated


@pytest.mark.usefixtures("as_database_superuser")  # the template belongs to the owner
def test_clone_runs_for_real_a_migration_the_template_lacks(db, worlds):
    template = settings.TENANT_BASE_SCHEMA
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{template}".core_taskrun')
        cursor.execute(f"DELETE FROM \"{template}\".django_migrations WHERE app = 'core'")  # noqa: S608 — schema name of a test tenant, double-quoted
    services.tenant_provision(slug="latecomer", name="Late", admin_email="x@late.example")
    assert "core_taskrun" in _shape("latecomer")["tables"]
    assert ("core", "0001_initial") in _shape("latecomer")["migrations"]


@pytest.mark.usefixtures("as_database_superuser")  # the template belongs to the owner
def test_clone_copies_triggers_and_keeps_sequences_apart(db, worlds):
    template = settings.TENANT_BASE_SCHEMA
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION public.test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused'; END $$"
        )
        cursor.execute(
            f'CREATE TRIGGER refuse_delete BEFORE DELETE ON "{template}".core_taskrun '
            "FOR EACH ROW EXECUTE FUNCTION public.test_refuse()"
        )
    services.tenant_provision(slug="triggered", name="T", admin_email="x@t.example")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'triggered.core_taskrun'::regclass AND NOT tgisinternal"
        )
        assert cursor.fetchall() == [("refuse_delete",)]
    with schema_context("triggered"):
        from core.models import TaskRun

        first = TaskRun.objects.create(task="a", status="succeeded")
    with schema_context("acme"):
        other = TaskRun.objects.create(task="b", status="succeeded")
    with schema_context("triggered"):
        second = TaskRun.objects.create(task="c", status="succeeded")
    assert second.pk == first.pk + 1  # each schema draws from its own identity sequence
    assert other.pk >= 1


def test_tenant_list_shows_tenants_but_not_public(acme, globex):
    output = run("tenant_list")
    assert "acme" in output and "Acme AB" in output and "acme.localhost" in output
    assert "globex" in output
    assert "Platform" not in output


def test_tenant_delete_asks_for_confirmation(db, worlds, monkeypatch):
    services.tenant_provision(slug="doomed", name="Doomed", admin_email="x@doomed.example")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Not confirmed"):
        run("tenant_delete", "--slug", "doomed")
    assert schema_exists("doomed")

    monkeypatch.setattr("builtins.input", lambda prompt: "doomed")
    run("tenant_delete", "--slug", "doomed")
    assert not schema_exists("doomed")
    assert not Tenant.objects.filter(slug="doomed").exists()


def test_tenant_delete_with_yes_and_unknown_slug(db, worlds):
    services.tenant_provision(slug="doomed", name="Doomed", admin_email="x@doomed.example")
    run("tenant_delete", "--slug", "doomed", "--yes")
    assert not schema_exists("doomed")
    with pytest.raises(CommandError, match="no tenant"):
        run("tenant_delete", "--slug", "doomed", "--yes")
    with pytest.raises(CommandError, match="no tenant"):
        run("tenant_delete", "--slug", "public", "--yes")


@pytest.mark.usefixtures("as_database_superuser")  # the template belongs to the owner
def test_template_schema_has_no_people(db, worlds):
    with schema_context(settings.TENANT_BASE_SCHEMA):
        assert not User.objects.exists()


def _schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return {row[0] for row in cursor.fetchall()}


def _shape(schema: str) -> dict[str, list]:
    """Tables, columns, indexes, constraints and applied migrations of one schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type, is_nullable, is_identity, "
            "character_maximum_length FROM information_schema.columns WHERE table_schema = %s "
            "ORDER BY 1, 2",
            [schema],
        )
        columns = cursor.fetchall()
        cursor.execute("SELECT DISTINCT table_name FROM information_schema.tables WHERE table_schema = %s", [schema])
        tables = sorted(row[0] for row in cursor.fetchall())
        cursor.execute(
            "SELECT tablename, indexname, replace(indexdef, %s, '') FROM pg_indexes WHERE schemaname = %s "
            "ORDER BY 1, 2",
            [f"{schema}.", schema],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT rel.relname, con.conname, con.contype, replace(pg_get_constraintdef(con.oid), %s, '') "
            "FROM pg_constraint con "
            "JOIN pg_class rel ON rel.oid = con.conrelid JOIN pg_namespace ns ON ns.oid = rel.relnamespace "
            "WHERE ns.nspname = %s ORDER BY 1, 2",
            [f"{schema}.", schema],
        )
        constraints = cursor.fetchall()
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations ORDER BY 1, 2')  # noqa: S608 — schema name of a test tenant, double-quoted
        migrations = cursor.fetchall()
    return {
        "tables": tables,
        "columns": columns,
        "indexes": indexes,
        "constraints": constraints,
        "migrations": migrations,
    }
