"""Shared fixtures: two committed tenants (acme, globex) with one named person per role.

Tenants are created once per session and committed; each test runs in a transaction
that is rolled back, so data a test creates inside a tenant schema disappears.
"""

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context, tenant_context

from accounts import services as account_services
from accounts.models import User
from accounts.roles import Role
from core.schemas import use_public_schema
from tenants import services as tenant_services
from tenants.models import Tenant
from tests.support import ROOT, free_port, stop, wait_for_port

PASSWORD = "correct-horse-battery-staple"


@dataclass
class TenantWorld:
    """A tenant as the tests see it: its row, host and people by role (acme.ciso, …)."""

    tenant: Tenant
    host: str
    people: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, role: str) -> User:
        try:
            return self.__dict__["people"][role]
        except KeyError:
            raise AttributeError(role)

    def fresh(self) -> "TenantWorld":
        """The same tenant with its people loaded anew: no test sees another's cached state
        (permission caches, roles, an is_active flipped on a shared instance)."""
        with schema_context(self.tenant.schema_name):
            people = User.objects.in_bulk([user.pk for user in self.people.values()])
        tenant = Tenant.objects.get(pk=self.tenant.pk)
        return TenantWorld(
            tenant=tenant, host=self.host, people={role: people[user.pk] for role, user in self.people.items()}
        )

    def client(self) -> Client:
        return Client(HTTP_HOST=self.host)

    def logged_in_client(self, user: User, *, verified: bool = True) -> Client:
        """A client logged in as ``user``; ``verified`` also passes the two-factor check."""
        client = self.client()
        # force_login inside the tenant, or last_login is written in the public schema.
        with tenant_context(self.tenant):
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            if verified:
                device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
                    user=user, name="Test authenticator", confirmed=True
                )
                session = client.session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()
        return client


def _world(slug: str, name: str) -> TenantWorld:
    provisioned = tenant_services.tenant_provision(
        slug=slug, name=name, admin_email=f"admin@{slug}.example", admin_name=f"{name} Admin"
    )
    world = TenantWorld(tenant=provisioned.tenant, host=provisioned.domain)
    with schema_context(provisioned.tenant.schema_name):
        admin = User.objects.get(email=f"admin@{slug}.example")
        admin.set_password(PASSWORD)
        admin.save()
        world.people["admin"] = admin
        for role in Role:
            if role is Role.ADMIN:
                continue
            world.people[role.value.lower()] = account_services.user_create(
                email=f"{role.value.lower()}@{slug}.example",
                full_name=f"{role.label} of {name}",
                roles=[role],
                password=PASSWORD,
            )
    return world


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker):
    """The test database with the template schema, the public tenant and static files ready.

    Always created, also when only tests that use committed data or subprocesses are
    selected (pytest-django would skip the database for them).
    """
    from django.test.utils import setup_databases, teardown_databases

    _azure_reachable_or_fail()
    with django_db_blocker.unblock():
        _login_as(ADMIN)
        config = setup_databases(
            verbosity=0,
            interactive=False,
            aliases={"default": False},  # alias -> serialize, as the test runner passes it
            serialized_aliases=set(),
        )
        _login_as(_roles_create())
        tenant_services.platform_migrate()
    call_command("collectstatic", interactive=False, verbosity=0)
    yield
    with django_db_blocker.unblock():
        use_public_schema()
        _login_as(ADMIN)
        with connection.cursor() as cursor:
            # Connections opened beside Playwright's event loop are context-local and may
            # outlive their tests; nothing else of ours is connected any more.
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        database = connection.settings_dict["NAME"]
        teardown_databases(config, verbosity=0)
        _roles_drop(database)


# The login the suite is given (DATABASE_ADMIN_URL, else DATABASE_URL, else the embedded
# superuser): it only creates the test database and the least-privilege roles the suite runs as.
ADMIN = {
    key: (settings.DATABASE_ADMIN or settings.DATABASES["default"]).get(key, "")
    for key in ("USER", "PASSWORD", "HOST", "PORT")
}


def _login_as(params: dict[str, str]) -> None:
    """Reconnect the default connection with another login (same database)."""
    connection.close()
    for key in ("USER", "PASSWORD"):
        connection.settings_dict[key] = params.get(key, "")


def _roles_create() -> dict[str, str]:
    """As the admin: the owner, app, backup and drill roles of this test database."""
    from tenants import dbroles

    database = connection.settings_dict["NAME"]
    logins = {
        component: {"USER": f"{database}_{component}", "PASSWORD": secrets.token_urlsafe(18)}
        for component in ("owner", "app", "backup", "drill")
    }
    with connection.cursor() as cursor:
        dbroles.roles_bootstrap(cursor, database=database, logins=logins)
    settings.DATABASE_ROLES = {
        component: {**logins[component], "HOST": ADMIN["HOST"], "PORT": ADMIN["PORT"]}
        for component in ("owner", "backup", "drill")
    }
    # A test that holds locks on a tenant's tables while the owner drops it fails instead of hanging.
    settings.DATABASE_ROLES["owner"]["OPTIONS"] = {
        **connection.settings_dict.get("OPTIONS", {}),
        "options": "-c lock_timeout=30000",
    }
    return logins["app"]


def _roles_drop(database: str) -> None:
    """After the test database is gone: its component and tenant roles (they are per cluster)."""
    from django.db import connections

    with connections["default"]._nodb_cursor() as cursor:
        # Only this database's roles: other test databases on the cluster share the name's prefix.
        cursor.execute(
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s) OR starts_with(rolname, %s) "
            "OR starts_with(rolname, %s) ORDER BY rolname LIKE '%%\\_\\_%%' DESC",
            [[f"{database}_{c}" for c in ("owner", "app", "backup", "drill")], f"{database}__", f"{database[:40]}__"],
        )
        for (role,) in cursor.fetchall():
            cursor.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser journeys last: once Playwright's event loop runs, it stays for the session."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def _azure_reachable_or_fail() -> None:
    """With Azure Blob configured, fail at once if it is down (the SDK would retry for minutes)."""
    import re
    import socket
    import urllib.parse

    from django.conf import settings

    if not settings.AZURE_STORAGE_CONNECTION_STRING:
        return
    match = re.search(r"BlobEndpoint=([^;]+)", settings.AZURE_STORAGE_CONNECTION_STRING)
    if not match:
        return
    endpoint = urllib.parse.urlsplit(match.group(1))
    try:
        socket.create_connection((endpoint.hostname, endpoint.port or 443), timeout=5).close()
    except OSError as error:
        pytest.exit(f"AZURE_STORAGE_CONNECTION_STRING points at {endpoint.netloc}, which is down: {error}", 2)


@pytest.fixture(scope="session")
def worlds(django_db_setup, django_db_blocker) -> dict[str, TenantWorld]:
    with django_db_blocker.unblock():
        return {"acme": _world("acme", "Acme AB"), "globex": _world("globex", "Globex Ltd")}


@pytest.fixture
def acme(worlds: dict[str, TenantWorld], db: None) -> TenantWorld:
    return worlds["acme"].fresh()


@pytest.fixture
def globex(worlds: dict[str, TenantWorld], db: None) -> TenantWorld:
    return worlds["globex"].fresh()


@pytest.fixture
def as_database_superuser(django_db_setup, django_db_blocker) -> Iterator[None]:
    """For tests that play someone who owns the database (switching triggers off, rewriting the
    template): the whole test, its transaction included, runs on a superuser connection without
    tenant roles. List it before any fixture that opens the test's transaction (or use
    ``pytest.mark.usefixtures``). Every other test runs as the app role."""
    from tenants import dbroles

    with django_db_blocker.unblock(), dbroles.connected_as(ADMIN):
        yield


_tenants_left: set[int] = set()


@pytest.fixture(autouse=True)
def _tenants_provisioned_by_test_removed(request: pytest.FixtureRequest, django_db_blocker) -> Iterator[None]:
    """Provisioning commits as the owner, outside the test's transaction: tenants a test made
    are deleted before the next test starts (not at teardown, where the test's own transaction
    may still hold locks on their tables)."""
    if "db" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        for tenant in Tenant.objects.filter(pk__in=_tenants_left):
            tenant_services.tenant_delete(slug=tenant.slug)
        _tenants_left.clear()
        before = set(Tenant.objects.values_list("pk", flat=True))
    yield
    with django_db_blocker.unblock():
        from tenants import dbroles

        with dbroles.as_owner():  # sees committed rows only, whatever the test's transaction holds
            _tenants_left.update(set(Tenant.objects.values_list("pk", flat=True)) - before)


@pytest.fixture
def tasks_run_at_once() -> Iterator[None]:
    """Celery tasks queued by the code under test run in the test, as a worker would (e-mail goes through one)."""
    from isms.celery import app

    eager, propagates = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = eager, propagates


@pytest.fixture(autouse=True)
def _back_to_public_schema() -> Iterator[None]:
    """A request through the test client leaves the connection in the tenant's schema."""
    yield
    use_public_schema()


@pytest.fixture
def make_risk(acme: TenantWorld):
    """Create a risk in acme through the service (reference, levels, owner permissions, audit)."""
    from risks import services as risk_services

    def make(owner=None, title="Phishing of admin accounts", **fields):
        with schema_context("acme"):
            return risk_services.risk_create(
                by=acme.ciso,
                owner=owner or acme.ciso,
                title=title,
                likelihood=fields.pop("likelihood", 3),
                impact=fields.pop("impact", 4),
                **fields,
            )

    return make


# Azurite's published development account (not a secret).
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


@pytest.fixture(scope="session")
def azurite() -> Iterator[str]:
    """A connection string to Azurite: the one CI started, or one started here from npm."""
    if os.environ.get("AZURE_STORAGE_CONNECTION_STRING"):
        yield os.environ["AZURE_STORAGE_CONNECTION_STRING"]
        return
    binary = shutil.which("azurite-blob") or str(ROOT / "node_modules" / ".bin" / "azurite-blob")
    assert os.path.exists(binary), (
        "Azurite is needed: run `npm ci` (make test does) or set AZURE_STORAGE_CONNECTION_STRING."
    )
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 — Azurite from our node_modules, fixed arguments, no shell
        [
            binary,
            "--inMemoryPersistence",
            "--disableTelemetry",
            "--skipApiVersionCheck",
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            str(port),
            "--silent",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        yield (
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
            f"AccountKey={AZURITE_KEY};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
        )
    finally:
        stop(process)
