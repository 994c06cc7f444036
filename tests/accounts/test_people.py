"""The people list (search, filters, pages, CSV), who may see it, and changing a person's roles."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from accounts import services
from accounts.models import User
from accounts.roles import Role
from audit.models import AuditEvent

FIXTURE_PEOPLE = len(Role)  # one person per role in each tenant (see tests/conftest.py)
ROW_EMAIL = re.compile(r"<td>([^<@\s]+@[^<\s]+)</td>")


def _add_people(world, count, *, start=0, role=Role.STAFF):
    with schema_context(world.tenant.schema_name):
        for number in range(start, start + count):
            services.user_create(email=f"person{number:03}@acme.example", full_name=f"Person {number:03}", roles=[role])


@pytest.fixture
def ada_and_bob(acme):
    with schema_context(acme.tenant.schema_name):
        ada = services.user_create(email="ada@acme.example", full_name="Ada Lovelace", roles=[Role.AUDITOR])
        bob = services.user_create(email="bob@builder.example", full_name="Bob Builder", roles=[Role.STAFF])
        bob.is_active = False
        bob.save()
    return ada, bob


def _listed(response):
    assert response.status_code == 200
    return ROW_EMAIL.findall(response.content.decode())


# --- list, search, filters, pages --------------------------------------------------------


def test_list_shows_the_tenants_people_with_roles_and_status(acme, globex, ada_and_bob):
    body = acme.logged_in_client(acme.admin).get("/people/").content.decode()

    assert f"{FIXTURE_PEOPLE + 2} people" in body
    ada_row = body[body.index("ada@acme.example") :].split("</tr>", 1)[0]
    assert '<span class="badge">Auditor</span>' in ada_row and "Active" in ada_row
    bob_row = body[body.index("bob@builder.example") :].split("</tr>", 1)[0]
    assert "Inactive" in bob_row
    assert "@globex.example" not in body


@pytest.mark.parametrize(
    "query, expected",
    [
        ("lovelace", ["ada@acme.example"]),
        ("ADA", ["ada@acme.example"]),
        ("builder.example", ["bob@builder.example"]),
        ("nobody-by-that-name", []),
    ],
)
def test_search_by_name_or_email(acme, ada_and_bob, query, expected):
    response = acme.logged_in_client(acme.admin).get("/people/", {"q": query})
    assert _listed(response) == expected
    if not expected:
        assert "Nobody matches" in response.content.decode()


def test_filter_by_role(acme, ada_and_bob):
    listed = _listed(acme.logged_in_client(acme.admin).get("/people/", {"role": "Auditor"}))
    assert sorted(listed) == ["ada@acme.example", "auditor@acme.example"]


def test_filter_by_status(acme, ada_and_bob):
    client = acme.logged_in_client(acme.admin)

    assert _listed(client.get("/people/", {"status": "inactive"})) == ["bob@builder.example"]
    active = _listed(client.get("/people/", {"status": "active"}))
    assert "bob@builder.example" not in active
    assert "ada@acme.example" in active
    assert len(active) == FIXTURE_PEOPLE + 1


def test_filters_combine(acme, ada_and_bob):
    client = acme.logged_in_client(acme.admin)
    assert _listed(client.get("/people/", {"role": "Staff", "status": "inactive"})) == ["bob@builder.example"]
    assert _listed(client.get("/people/", {"q": "bob", "status": "active"})) == []


def test_list_pages_by_25_and_keeps_the_filters_in_page_links(acme):
    _add_people(acme, 60)
    client = acme.logged_in_client(acme.admin)
    total = FIXTURE_PEOPLE + 60

    first = client.get("/people/")
    assert len(_listed(first)) == 25
    assert "Page 1 of 3" in first.content.decode()
    last = client.get("/people/", {"page": 3})
    assert len(_listed(last)) == total - 50
    everyone = set()
    for page in (1, 2, 3):
        everyone |= set(_listed(client.get("/people/", {"page": page})))
    assert len(everyone) == total

    filtered = client.get("/people/", {"q": "person0", "page": 2}).content.decode()
    assert "Page 2 of 3" in filtered
    assert 'href="?q=person0&amp;page=1"' in filtered
    assert 'href="?q=person0&amp;page=3"' in filtered


def test_csv_export_has_a_header_and_one_row_per_person_shown(acme, ada_and_bob):
    client = acme.logged_in_client(acme.admin)

    response = client.get("/people/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["email", "full_name", "roles", "active", "last_login", "date_joined"]
    assert len(rows) == 1 + FIXTURE_PEOPLE + 2
    by_email = {row[0]: row for row in rows[1:]}
    assert by_email["ada@acme.example"][1:5] == ["Ada Lovelace", "Auditor", "yes", ""]
    assert by_email["bob@builder.example"][3] == "no"

    filtered = client.get("/people/", {"role": "Auditor", "format": "csv"})
    filtered_rows = list(csv.reader(io.StringIO(filtered.content.decode())))
    assert sorted(row[0] for row in filtered_rows[1:]) == ["ada@acme.example", "auditor@acme.example"]


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("admin", True),
        ("ciso", True),
        ("security", True),
        ("management", True),
        ("auditor", True),
        ("staff", False),
        ("operations", False),
        ("external", False),
    ],
)
def test_who_may_see_the_people_list(acme, role, allowed):
    client = acme.logged_in_client(getattr(acme, role))
    expected = 200 if allowed else 404

    assert client.get("/people/").status_code == expected
    assert client.get("/people/", {"format": "csv"}).status_code == expected
    assert client.get(f"/people/{acme.staff.pk}/").status_code == expected


def test_only_admins_see_invite_and_pending_invitations(acme):
    admin_body = acme.logged_in_client(acme.admin).get("/people/").content.decode()
    ciso_body = acme.logged_in_client(acme.ciso).get("/people/").content.decode()

    assert "Invite a person" in admin_body and "Pending invitations" in admin_body
    assert "Invite a person" not in ciso_body and "Pending invitations" not in ciso_body


def _queries(client, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/people/", params)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_people_page_and_csv_take_the_same_number_of_queries_for_more_people(acme):
    client = acme.logged_in_client(acme.admin)
    _add_people(acme, 5)
    with schema_context(acme.tenant.schema_name):
        services.invitation_create(by=acme.admin, email="one@acme.example", roles=[Role.STAFF], host=acme.host)
    few = (_queries(client), _queries(client, format="csv"))

    _add_people(acme, 55, start=5, role=Role.AUDITOR)
    with schema_context(acme.tenant.schema_name):
        for number in range(5):
            services.invitation_create(
                by=acme.admin, email=f"more{number}@acme.example", roles=[Role.STAFF], host=acme.host
            )
    many = (_queries(client), _queries(client, format="csv"))

    assert many == few


# --- roles -------------------------------------------------------------------------------


def test_admin_changes_roles_and_the_change_is_audited(acme, ada_and_bob):
    ada, _bob = ada_and_bob
    admin = acme.logged_in_client(acme.admin)
    ada_browser = acme.logged_in_client(ada)
    assert ada_browser.get("/people/").status_code == 200

    response = admin.post(f"/people/{ada.pk}/", {"roles": ["Staff", "Operations"]}, follow=True)

    assert "Roles saved." in response.content.decode()
    with schema_context(acme.tenant.schema_name):
        assert sorted(User.objects.get(pk=ada.pk).role_names) == ["Operations", "Staff"]
        event = AuditEvent.objects.get(action="user.roles_changed", object_id=str(ada.pk))
        assert event.actor == acme.admin
        assert event.changes == {"roles": [["Auditor"], ["Operations", "Staff"]]}
    # Ada loses what the Auditor role gave her: the people list.
    assert ada_browser.get("/people/").status_code == 404


def test_granting_a_role_gives_its_access(acme):
    with schema_context(acme.tenant.schema_name):
        clerk = services.user_create(email="clerk@acme.example", full_name="Carl Clerk", roles=[Role.STAFF])
    clerk_browser = acme.logged_in_client(clerk, verified=False)
    assert clerk_browser.get("/people/").status_code == 404

    acme.logged_in_client(acme.admin).post(f"/people/{clerk.pk}/", {"roles": ["Auditor"]})

    assert clerk_browser.get("/people/").status_code == 200


def test_saving_unchanged_roles_writes_no_audit_event(acme, ada_and_bob):
    ada, _bob = ada_and_bob
    acme.logged_in_client(acme.admin).post(f"/people/{ada.pk}/", {"roles": ["Auditor"]})
    with schema_context(acme.tenant.schema_name):
        assert not AuditEvent.objects.filter(action="user.roles_changed").exists()


def test_admin_cannot_remove_their_own_admin_role(acme):
    admin = acme.logged_in_client(acme.admin)

    response = admin.post(f"/people/{acme.admin.pk}/", {"roles": ["CISO"]})

    assert response.status_code == 200
    assert "You cannot remove your own Admin role; ask another admin." in response.content.decode()
    with schema_context(acme.tenant.schema_name):
        assert User.objects.get(pk=acme.admin.pk).role_names == ["Admin"]
        assert not AuditEvent.objects.filter(action="user.roles_changed").exists()
    assert admin.get("/people/invite/").status_code == 200


def test_admin_may_add_roles_to_themselves(acme):
    admin = acme.logged_in_client(acme.admin)
    admin.post(f"/people/{acme.admin.pk}/", {"roles": ["Admin", "CISO"]})
    with schema_context(acme.tenant.schema_name):
        assert sorted(User.objects.get(pk=acme.admin.pk).role_names) == ["Admin", "CISO"]


@pytest.mark.parametrize("role", ["ciso", "auditor", "staff"])
def test_only_admins_change_roles(acme, role):
    client = acme.logged_in_client(getattr(acme, role))

    response = client.post(f"/people/{acme.staff.pk}/", {"roles": ["Admin"]})

    assert response.status_code == 404
    with schema_context(acme.tenant.schema_name):
        assert User.objects.get(pk=acme.staff.pk).role_names == ["Staff"]


def test_viewers_see_roles_without_a_form(acme):
    body = acme.logged_in_client(acme.ciso).get(f"/people/{acme.staff.pk}/").content.decode()
    assert '<span class="badge">Staff</span>' in body
    assert "Save roles" not in body
    assert "Deactivate" not in body


def test_admin_can_take_every_role_away(acme):
    admin = acme.logged_in_client(acme.admin)
    assert admin.post(f"/people/{acme.staff.pk}/", {}).status_code == 302
    with schema_context("acme"):
        acme.staff.refresh_from_db()
        assert list(acme.staff.groups.all()) == []
