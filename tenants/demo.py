"""The demo tenant of a development run: one person per role and a little data (idempotent)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django_tenants.utils import schema_context

from accounts import services as account_services
from accounts.models import User
from accounts.roles import Role
from core.registry import Registry

from . import services
from .models import Tenant

DEMO_SLUG = "demo"
DEMO_NAME = "Demo Cloud AB"
# Shown on the console by `make run`; a development run only (the command refuses without DEBUG).
DEMO_PASSWORD = "demo-isms-2026"  # noqa: S105 -- printed for development logins on purpose

# Demo data of the feature apps, registered in their AppConfig.ready: each function runs in the demo
# tenant's schema after its people exist, in ``order``, and must add nothing on a second run.
DemoData = Callable[[], None]
DEMO_DATA: Registry[DemoData] = Registry("demo data")


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    role: Role


DEMO_PEOPLE = (
    DemoPerson("admin@demo.example", "Astrid Admin", Role.ADMIN),
    DemoPerson("ciso@demo.example", "Cecilia Lind", Role.CISO),
    DemoPerson("security@demo.example", "Sam Berg", Role.SECURITY),
    DemoPerson("operations@demo.example", "Olle Ek", Role.OPERATIONS),
    DemoPerson("management@demo.example", "Maria Holm", Role.MANAGEMENT),
    DemoPerson("staff@demo.example", "Stina Falk", Role.STAFF),
    DemoPerson("auditor@demo.example", "Anders Ström", Role.AUDITOR),
)


def demo_tenant_ensure() -> Tenant:
    """Create the demo tenant and its people if missing; a second run changes nothing."""
    tenant = Tenant.objects.filter(slug=DEMO_SLUG).first()
    if tenant is None:
        admin = DEMO_PEOPLE[0]
        tenant = services.tenant_provision(
            slug=DEMO_SLUG, name=DEMO_NAME, admin_email=admin.email, admin_name=admin.full_name
        ).tenant
    with schema_context(tenant.schema_name), transaction.atomic():
        account_services.roles_seed()
        for person in DEMO_PEOPLE:
            user = User.objects.filter(email=person.email).first()
            if user is None:
                user = account_services.user_create(email=person.email, full_name=person.full_name, roles=[person.role])
            if not user.has_usable_password():
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
        for ensure in DEMO_DATA:
            ensure()
    return tenant
