"""Who sees and changes risks: roles, owners, object permissions; other tenants never."""

import re

import pytest
from django_tenants.utils import schema_context

from risks import services
from risks.models import Risk
from risks.policies import risk_policy

#            role          sees all  can change any  can create
MATRIX = [
    ("admin", False, False, False),
    ("ciso", True, True, True),
    ("security", True, True, True),
    ("operations", False, False, False),
    ("management", True, False, False),
    ("staff", False, False, False),
    ("auditor", True, False, False),
    ("external", False, False, False),
]


@pytest.mark.parametrize("role, sees_all, changes_any, creates", MATRIX)
def test_role_matrix_on_someone_elses_risk(acme, make_risk, role, sees_all, changes_any, creates):
    risk = make_risk(owner=acme.security if role != "security" else acme.ciso)
    client = acme.logged_in_client(getattr(acme, role))
    assert client.get(f"/risks/{risk.pk}/").status_code == (200 if sees_all else 404)
    assert client.get(f"/risks/{risk.pk}/edit/").status_code == (200 if changes_any else 404)
    assert client.get("/risks/new/").status_code == (200 if creates else 404)
    listing = client.get("/risks/").content.decode()
    assert (risk.reference in listing) is sees_all


@pytest.mark.parametrize("role", ["staff", "operations", "external", "admin"])
def test_owners_see_and_change_their_own_risk(acme, make_risk, role):
    person = getattr(acme, role)
    risk = make_risk(owner=person)
    with schema_context("acme"):
        assert person.has_perm("risks.view_risk", risk)  # guardian object permission for the owner
        assert risk_policy.can_change(person, risk)
    client = acme.logged_in_client(person)
    assert client.get(f"/risks/{risk.pk}/").status_code == 200
    response = client.post(
        f"/risks/{risk.pk}/edit/",
        {
            "title": "Renamed",
            "owner": person.pk,
            "likelihood": 2,
            "impact": 2,
            "treatment": "mitigate",
            "status": "open",
        },
    )
    assert response.status_code == 302
    with schema_context("acme"):
        assert Risk.objects.get(pk=risk.pk).title == "Renamed"


def test_missing_and_unreachable_risks_look_the_same(acme, make_risk):
    risk = make_risk(owner=acme.ciso)
    client = acme.logged_in_client(acme.staff)
    hidden = client.get(f"/risks/{risk.pk}/")
    missing = client.get(f"/risks/{risk.pk + 10000}/")
    assert hidden.status_code == missing.status_code == 404
    assert _main(hidden, risk.pk) == _main(missing, risk.pk + 10000)
    assert "Ask for access" in _main(hidden, risk.pk)


def _main(response, pk: int) -> str:
    """The page body with what legitimately differs (the id in the URL, the CSRF token) blanked."""
    body = response.content.decode()
    main = body[body.index("<main") : body.index("</main>")]
    main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)
    return main.replace(f"/{pk}/", "/N/")


def test_other_tenant_cannot_reach_a_risk(acme, globex, make_risk):
    risk = make_risk(owner=acme.ciso)
    client = globex.logged_in_client(globex.ciso)
    assert client.get(f"/risks/{risk.pk}/").status_code == 404
    assert risk.reference not in client.get("/risks/").content.decode()


def test_anonymous_sees_nothing(acme, make_risk):
    from django.contrib.auth.models import AnonymousUser

    make_risk()
    with schema_context("acme"):
        assert list(risk_policy.visible(AnonymousUser(), Risk.objects.all())) == []


def test_references_count_up_per_tenant_and_changes_are_audited(acme, globex, make_risk):
    first, second = make_risk(title="A"), make_risk(title="B")
    assert (first.reference, second.reference) == ("R-001", "R-002")
    with schema_context("acme"):
        services.risk_update(risk=first, by=acme.ciso, likelihood=5)
        from audit.models import AuditEvent

        event = AuditEvent.objects.filter(action="risk.updated", object_id=str(first.pk)).get()
    assert event.changes == {"likelihood": [3, 5], "inherent_level": ["high", "critical"]}
    body = acme.logged_in_client(acme.ciso).get(f"/risks/{first.pk}/").content.decode()
    assert "risk.updated" in body and "likelihood: 3 → 5" in body


def test_risk_list_query_count_does_not_grow(acme, make_risk, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_risk(owner=acme.staff)
    client = acme.logged_in_client(acme.staff)
    with CaptureQueriesContext(connection) as few:
        client.get("/risks/")
    for n in range(30):
        make_risk(owner=acme.staff if n % 2 else acme.ciso, title=f"Risk {n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/risks/").status_code == 200
    assert len(many) == len(few)
