"""A person leaves or is suspended: access ends at once, in one audited step, and only admins can do it."""

from urllib.parse import urlsplit

import pytest
from django.contrib.sessions.models import Session
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from accounts import services
from accounts.models import Invitation, OffboardingRecord, User
from accounts.roles import Role
from audit.models import AuditEvent
from tests.conftest import PASSWORD

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


# --- offboarding -------------------------------------------------------------------------


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


# --- deactivate and reactivate ----------------------------------------------------------


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
