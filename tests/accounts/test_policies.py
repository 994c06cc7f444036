"""Who reaches which page: every role against every tenant page that exists today."""

import pytest
from django_tenants.utils import schema_context

from accounts import services
from accounts.models import OffboardingRecord

ROLES = ["admin", "ciso", "security", "operations", "management", "staff", "auditor", "external"]
PEOPLE_READERS = {"admin", "ciso", "security", "management", "auditor"}
AUDIT_READERS = {"admin", "ciso", "auditor"}
OFFBOARDING_READERS = {"admin", "ciso", "auditor"}
EVERYONE = set(ROLES)


@pytest.fixture
def offboarding(acme):
    with schema_context("acme"):
        leaver = services.user_create(email="leaver@acme.example", roles=["Staff"])
        return services.user_offboard(user=leaver, by=acme.admin, reassign_to=None)


def pages(acme, offboarding: OffboardingRecord) -> list[tuple[str, set[str]]]:
    return [
        ("/", EVERYONE),
        ("/area/admin/", EVERYONE),
        ("/profile/", EVERYONE),
        ("/profile/password/", EVERYONE),
        ("/people/", PEOPLE_READERS),
        ("/people/?format=csv", PEOPLE_READERS),
        (f"/people/{acme.staff.pk}/", PEOPLE_READERS),
        ("/people/invite/", {"admin"}),
        (f"/people/{acme.staff.pk}/offboard/", {"admin"}),
        (f"/people/offboarding/{offboarding.pk}/", OFFBOARDING_READERS),
        ("/audit/", AUDIT_READERS),
        ("/audit/?format=csv", AUDIT_READERS),
        ("/settings/security/", {"admin"}),
        ("/risks/", EVERYONE),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_pages(acme, offboarding, role):
    client = acme.logged_in_client(getattr(acme, role))
    outcomes = {path: client.get(path).status_code for path, _allowed in pages(acme, offboarding)}
    expected = {path: 200 if role in allowed else 404 for path, allowed in pages(acme, offboarding)}
    assert outcomes == expected


@pytest.mark.parametrize("role", ROLES)
def test_people_of_unknown_or_other_ids_answer_404(acme, globex, role):
    with schema_context("acme"):
        from accounts.models import User

        missing = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    client = acme.logged_in_client(getattr(acme, role))
    assert client.get(f"/people/{missing}/").status_code == 404
    assert client.get(f"/people/offboarding/{missing}/").status_code == 404


def test_anonymous_people_are_sent_to_login_everywhere(acme, offboarding):
    client = acme.client()
    for path, _allowed in pages(acme, offboarding):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/?next="), path


@pytest.mark.parametrize("role", sorted(EVERYONE - {"admin"}))
def test_only_admins_can_change_people(acme, role):
    client = acme.logged_in_client(getattr(acme, role))
    target = acme.staff if role != "staff" else acme.operations
    assert client.post(f"/people/{target.pk}/", {"roles": ["Admin"]}).status_code == 404
    assert client.post(f"/people/{target.pk}/status/", {"action": "deactivate"}).status_code == 404
    assert client.post("/people/invite/", {"email": "x@acme.example", "roles": ["Admin"]}).status_code == 404
    with schema_context("acme"):
        target.refresh_from_db()
        assert target.is_active
        assert "Admin" not in target.role_names
