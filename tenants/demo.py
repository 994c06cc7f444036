"""The demo tenant of a development run: one person per role and a little data (idempotent)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts import services as account_services
from accounts.models import User
from accounts.roles import Role
from incidents import demo as incidents_demo
from policies import demo as policies_demo
from reviews import demo as reviews_demo
from training import demo as training_demo

from . import services
from .models import Tenant

DEMO_SLUG = "demo"
DEMO_NAME = "Demo Cloud AB"
# Shown on the console by `make run`; a development run only (the command refuses without DEBUG).
DEMO_PASSWORD = "demo-isms-2026"  # noqa: S105 -- printed for development logins on purpose


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
        _demo_risks_ensure()
        for seed in (incidents_demo, reviews_demo, policies_demo, training_demo):
            seed.demo_ensure()
    return tenant


DEMO_RISKS = (
    # title, owner e-mail, likelihood, impact, treatment, category, residual (likelihood, impact)
    ("Phishing leads to a compromised admin account", "security@demo.example", 4, 5, "mitigate", "People", (2, 4)),
    ("Ransomware encrypts production databases", "operations@demo.example", 2, 5, "mitigate", "Technology", (1, 4)),
    (
        "Key supplier (payment provider) goes out of business",
        "ciso@demo.example",
        2,
        4,
        "transfer",
        "Suppliers",
        (2, 2),
    ),
    ("Personal data sent to the wrong customer", "staff@demo.example", 3, 3, "mitigate", "Privacy", (2, 3)),
    ("Unpatched third-party library with a known CVE", "security@demo.example", 4, 3, "mitigate", "Technology", (3, 3)),
    ("Loss of the Stockholm data centre", "operations@demo.example", 1, 5, "accept", "Continuity", (1, 5)),
)


def _demo_risks_ensure() -> None:
    from risks import services as risk_services
    from risks.models import Risk
    from sharing import services as sharing_services

    if Risk.objects.exists():
        return
    ciso = User.objects.get(email="ciso@demo.example")
    # The demo CISO has no second factor yet, but services check roles, not sessions.
    review = timezone.localdate() + timedelta(days=120)
    for title, owner, likelihood, impact, treatment, category, (residual_l, residual_i) in DEMO_RISKS:
        risk = risk_services.risk_create(
            by=ciso,
            title=title,
            owner=User.objects.get(email=owner),
            likelihood=likelihood,
            impact=impact,
            residual_likelihood=residual_l,
            residual_impact=residual_i,
            treatment=treatment,
            category=category,
            next_review=review,
        )
        if owner == "operations@demo.example" and impact == 5 and likelihood == 2:
            sharing_services.share_grant(obj=risk, by=risk.owner, user=User.objects.get(email="staff@demo.example"))
