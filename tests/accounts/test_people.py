"""The people pages: list (search, filters, pages, CSV), roles, invitations, deactivation and offboarding."""

import csv
import io
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from accounts import services
from accounts.models import Invitation, OffboardingRecord, User
from accounts.roles import Role
from audit.models import AuditEvent
from tests.accounts.invitations import accept, link_in
from tests.conftest import PASSWORD

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


def test_people_export_cannot_carry_a_spreadsheet_formula(acme):
    with schema_context("acme"):
        services.user_create(email="eve@acme.example", full_name='=HYPERLINK("http://evil.example","x")')
    response = acme.logged_in_client(acme.admin).get("/people/?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@")]


BAD_LOGIN = "Please enter a correct e-mail address and password"


BACKUP_CODE = "leaverbackup1"


@pytest.fixture
def leaver(acme):
    """An admin who is about to leave, with an authenticator, backup codes and invitations out."""
    with schema_context(acme.tenant.schema_name):
        person = services.user_create(
            email="leaver@acme.example", full_name="Lea Leaver", roles=[Role.ADMIN], password=PASSWORD
        )
        TOTPDevice.objects.create(user=person, name="Phone", confirmed=True)
        backup = StaticDevice.objects.create(user=person, name="Backup codes", confirmed=True)
        backup.token_set.create(token=BACKUP_CODE)
    return person


@pytest.fixture
def clerk(acme):
    with schema_context(acme.tenant.schema_name):
        return services.user_create(
            email="clerk@acme.example", full_name="Carl Clerk", roles=[Role.STAFF], password=PASSWORD
        )


def _login(world, email, password=PASSWORD):
    return world.client().post("/login/", {"username": email, "password": password})


def _browser(world, person, code=None):
    """A browser where the person logged in through the login page (and passed two-factor if asked)."""
    response = _login(world, person.email)
    assert response.status_code == 302
    client = response.client
    if code:
        assert client.post("/2fa/verify/", {"code": code}).status_code == 302
    assert client.get("/").status_code == 200
    return client


def _is_logged_out(client):
    response = client.get("/")
    return response.status_code == 302 and response["Location"].startswith("/login/")


def _offboard(world, person, **data):
    return world.logged_in_client(world.admin).post(f"/people/{person.pk}/offboard/", data)


def test_offboarded_person_cannot_log_in_and_their_session_ends(acme, leaver):
    browser = _browser(acme, leaver, code=BACKUP_CODE)
    session_key = browser.session.session_key

    response = _offboard(acme, leaver, confirm="on", reassign_to=acme.ciso.pk)
    assert response.status_code == 302

    assert _is_logged_out(browser)
    with schema_context(acme.tenant.schema_name):
        assert not Session.objects.filter(session_key=session_key).exists()
    refused = _login(acme, leaver.email)
    assert refused.status_code == 200
    assert BAD_LOGIN in refused.content.decode()


def test_offboarding_removes_two_factor_devices_and_revokes_pending_invitations(acme, leaver):
    with schema_context(acme.tenant.schema_name):
        _invitation, link = services.invitation_create(
            by=leaver, email="friend@acme.example", roles=[Role.STAFF], host=acme.host
        )
        _accepted, accepted_link = services.invitation_create(
            by=leaver, email="joined@acme.example", roles=[Role.STAFF], host=acme.host
        )
        _others, others_link = services.invitation_create(
            by=acme.admin, email="other@acme.example", roles=[Role.STAFF], host=acme.host
        )
    path = link.split(acme.host, 1)[1]
    accepted_token = accepted_link.rstrip("/").rsplit("/", 1)[1]
    with schema_context(acme.tenant.schema_name):
        services.invitation_accept(token=accepted_token, full_name="Joe Joined", password="sunny-meadow-walk-31")

    _offboard(acme, leaver, confirm="on", reassign_to=acme.ciso.pk)

    with schema_context(acme.tenant.schema_name):
        assert not TOTPDevice.objects.filter(user=leaver).exists()
        assert not StaticDevice.objects.filter(user=leaver).exists()
        sent = {invitation.email: invitation for invitation in Invitation.objects.filter(invited_by=leaver)}
        assert sent["friend@acme.example"].revoked_at is not None
        assert sent["joined@acme.example"].revoked_at is None
        assert Invitation.objects.get(email="other@acme.example").is_pending
    assert acme.client().get(path).status_code == 404
    assert acme.client().get(others_link.split(acme.host, 1)[1]).status_code == 200


def test_offboarding_keeps_a_printable_checklist_and_an_audit_event(acme, leaver):
    _browser(acme, leaver, code=BACKUP_CODE)
    with schema_context(acme.tenant.schema_name):
        services.invitation_create(by=leaver, email="friend@acme.example", roles=[Role.STAFF], host=acme.host)

    admin = acme.logged_in_client(acme.admin)
    response = admin.post(f"/people/{leaver.pk}/offboard/", {"confirm": "on", "reassign_to": acme.ciso.pk})

    with schema_context(acme.tenant.schema_name):
        record = OffboardingRecord.objects.get(user=leaver)
        assert record.performed_by == acme.admin
        assert record.reassigned_to == acme.ciso
        assert {item["step"]: item["count"] for item in record.checklist} == {
            "Account deactivated": 1,
            "Sessions ended": 1,
            "Two-factor devices revoked": 2,
            "Pending invitations revoked": 1,
            "Shares revoked": 0,
            "Records handed over": 0,
        }
        event = AuditEvent.objects.get(action="user.offboarded")
        assert event.actor == acme.admin
        assert event.object_id == str(leaver.pk)
        assert event.kind == AuditEvent.Kind.SECURITY
        assert event.changes["reassigned_to"] == [None, acme.ciso.email]
    assert response["Location"] == f"/people/offboarding/{record.pk}/"

    page = admin.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert "Lea Leaver has been offboarded." in body
    assert "Lea Leaver (leaver@acme.example)" in body
    assert acme.ciso.full_name in body
    for step in ("Account deactivated", "Sessions ended", "Two-factor devices revoked", "Pending invitations revoked"):
        assert f"<td>{step}</td>" in body


@pytest.mark.parametrize("role, status", [("ciso", 200), ("auditor", 200), ("security", 404), ("staff", 404)])
def test_offboarding_record_is_shown_to_those_who_review_it(acme, leaver, role, status):
    _offboard(acme, leaver, confirm="on", reassign_to=acme.ciso.pk)
    with schema_context(acme.tenant.schema_name):
        record = OffboardingRecord.objects.get(user=leaver)

    assert acme.logged_in_client(getattr(acme, role)).get(f"/people/offboarding/{record.pk}/").status_code == status


def test_offboarding_without_the_tick_changes_nothing(acme, leaver):
    browser = _browser(acme, leaver, code=BACKUP_CODE)

    response = _offboard(acme, leaver, reassign_to=acme.ciso.pk)

    assert response.status_code == 200
    assert "Tick the box to confirm." in response.content.decode()
    assert browser.get("/").status_code == 200
    with schema_context(acme.tenant.schema_name):
        assert User.objects.get(pk=leaver.pk).is_active
        assert TOTPDevice.objects.filter(user=leaver).exists()
        assert StaticDevice.objects.filter(user=leaver).exists()
        assert not OffboardingRecord.objects.exists()
        assert not AuditEvent.objects.filter(action="user.offboarded").exists()
    assert _login(acme, leaver.email).status_code == 302


def test_admin_cannot_offboard_themselves(acme):
    admin = acme.logged_in_client(acme.admin)

    response = admin.post(f"/people/{acme.admin.pk}/offboard/", {"confirm": "on", "reassign_to": acme.ciso.pk})

    assert response.status_code == 200
    assert "You cannot offboard yourself." in response.content.decode()
    assert admin.get("/people/").status_code == 200
    with schema_context(acme.tenant.schema_name):
        assert User.objects.get(pk=acme.admin.pk).is_active
        assert not OffboardingRecord.objects.exists()


@pytest.mark.parametrize("role", ["staff", "ciso", "auditor"])
def test_only_admins_can_offboard(acme, leaver, role):
    client = acme.logged_in_client(getattr(acme, role))

    assert client.get(f"/people/{leaver.pk}/offboard/").status_code == 404
    assert client.post(f"/people/{leaver.pk}/offboard/", {"confirm": "on"}).status_code == 404
    with schema_context(acme.tenant.schema_name):
        assert User.objects.get(pk=leaver.pk).is_active
        assert not OffboardingRecord.objects.exists()


def test_deactivated_person_is_logged_out_and_cannot_log_in(acme, clerk):
    browser = _browser(acme, clerk)

    admin = acme.logged_in_client(acme.admin)
    response = admin.post(f"/people/{clerk.pk}/status/", {"action": "deactivate"}, follow=True)

    assert "Carl Clerk is deactivated and logged out." in response.content.decode()
    assert _is_logged_out(browser)
    refused = _login(acme, clerk.email)
    assert refused.status_code == 200
    assert BAD_LOGIN in refused.content.decode()
    with schema_context(acme.tenant.schema_name):
        assert AuditEvent.objects.filter(action="user.deactivated", object_id=str(clerk.pk), actor=acme.admin).exists()


def test_reactivated_person_can_log_in_again(acme, clerk):
    admin = acme.logged_in_client(acme.admin)
    admin.post(f"/people/{clerk.pk}/status/", {"action": "deactivate"})
    assert _login(acme, clerk.email).status_code == 200

    response = admin.post(f"/people/{clerk.pk}/status/", {"action": "reactivate"}, follow=True)

    assert "Carl Clerk can log in again." in response.content.decode()
    assert _login(acme, clerk.email).status_code == 302
    with schema_context(acme.tenant.schema_name):
        assert AuditEvent.objects.filter(action="user.reactivated", object_id=str(clerk.pk)).exists()


def test_inactive_people_are_marked_on_their_page(acme, clerk):
    admin = acme.logged_in_client(acme.admin)
    admin.post(f"/people/{clerk.pk}/status/", {"action": "deactivate"})

    body = admin.get(f"/people/{clerk.pk}/").content.decode()
    assert "Inactive" in body
    assert "Reactivate" in body


def test_admin_cannot_deactivate_themselves(acme):
    admin = acme.logged_in_client(acme.admin)

    response = admin.post(f"/people/{acme.admin.pk}/status/", {"action": "deactivate"}, follow=True)

    assert "You cannot deactivate yourself." in response.content.decode()
    assert admin.get("/people/").status_code == 200
    with schema_context(acme.tenant.schema_name):
        assert User.objects.get(pk=acme.admin.pk).is_active


@pytest.mark.parametrize("role", ["staff", "ciso"])
def test_only_admins_can_deactivate(acme, clerk, role):
    browser = _browser(acme, clerk)

    response = acme.logged_in_client(getattr(acme, role)).post(f"/people/{clerk.pk}/status/", {"action": "deactivate"})

    assert response.status_code == 404
    assert browser.get("/").status_code == 200


def test_deactivating_a_person_revokes_the_invitations_they_sent(acme, leaver):
    with schema_context(acme.tenant.schema_name):
        invitation, link = services.invitation_create(
            by=leaver, email="newcomer@acme.example", roles=[Role.STAFF], host=acme.host
        )
        other, _other_link = services.invitation_create(
            by=acme.admin, email="other@acme.example", roles=[Role.STAFF], host=acme.host
        )
    admin = acme.logged_in_client(acme.admin)
    assert admin.post(f"/people/{leaver.pk}/status/", {"action": "deactivate"}).status_code == 302
    with schema_context(acme.tenant.schema_name):
        assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
        assert Invitation.objects.get(pk=other.pk).revoked_at is None  # others' invitations stay
        assert AuditEvent.objects.filter(
            action="invitation.revoked", object_id=str(invitation.pk), actor=acme.admin
        ).exists()
    opened = acme.client().get(urlsplit(link).path)
    assert opened.status_code == 404 and "This link no longer works" in opened.content.decode()


def test_invitation_sends_one_email_with_a_link_to_the_form(acme, mailoutbox, django_capture_on_commit_callbacks):
    admin = acme.logged_in_client(acme.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/people/invite/",
            {"email": "Nina@Acme.example", "full_name": "Nina Newcomer", "roles": ["CISO"]},
            follow=True,
        )
    assert "Invitation sent to nina@acme.example. The link works once, for 72 hours." in response.content.decode()

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["nina@acme.example"]
    assert mail.subject == "You are invited to the ISMS portal"
    assert "Acme AB Admin invited you to the ISMS portal as CISO" in mail.body
    link = link_in(mail.body)
    assert urlsplit(link).netloc == acme.host

    page = acme.client().get(urlsplit(link).path)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Join Acme AB" in body
    assert "You are invited as CISO with the e-mail address nina@acme.example." in body
    assert 'name="password1"' in body and 'name="password2"' in body
    assert 'value="Nina Newcomer"' in body


def test_pending_invitation_is_listed_for_the_admin(acme, invite):
    invite("nina@acme.example", ["Security", "Auditor"])
    body = acme.logged_in_client(acme.admin).get("/people/").content.decode()
    pending = body[body.index("Pending invitations") :]
    assert "nina@acme.example" in pending
    assert "Security, Auditor" in pending
    assert "Revoke" in pending


def test_inviting_the_same_address_again_replaces_the_earlier_link(acme, invite):
    first = invite("nina@acme.example", ["Staff"])
    second = invite("nina@acme.example", ["Auditor"])

    assert acme.client().get(urlsplit(first).path).status_code == 404
    assert accept(acme, second).status_code == 302
    with schema_context(acme.tenant.schema_name):
        assert User.objects.get(email="nina@acme.example").role_names == ["Auditor"]


@pytest.mark.parametrize("typed", ["staff@acme.example", "Staff@ACME.example"])
def test_address_with_an_account_is_refused_with_a_clear_message(
    acme, mailoutbox, django_capture_on_commit_callbacks, typed
):
    admin = acme.logged_in_client(acme.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/people/invite/", {"email": typed, "roles": ["Staff"]})

    assert response.status_code == 200
    assert "staff@acme.example already has an account here." in response.content.decode()
    assert mailoutbox == []
    with schema_context(acme.tenant.schema_name):
        assert not Invitation.objects.exists()


def test_an_invitation_needs_a_role(acme, mailoutbox):
    response = acme.logged_in_client(acme.admin).post("/people/invite/", {"email": "nina@acme.example"})
    assert response.status_code == 200
    assert "Choose at least one role." in response.content.decode()
    assert mailoutbox == []


@pytest.mark.parametrize("role", ["staff", "ciso", "security", "auditor", "management"])
def test_only_admins_can_invite(acme, mailoutbox, django_capture_on_commit_callbacks, role):
    client = acme.logged_in_client(getattr(acme, role))
    assert client.get("/people/invite/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/people/invite/", {"email": "nina@acme.example", "roles": ["Admin"]})
    assert response.status_code == 404
    assert mailoutbox == []
    with schema_context(acme.tenant.schema_name):
        assert not Invitation.objects.exists()
