"""The two-factor gate, TOTP enrolment with a server-drawn QR code, verification and backup codes."""

import re
import time

import pyotp
import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from accounts import twofactor
from accounts.models import User
from audit.models import AuditEvent
from tests.conftest import PASSWORD

PRIVILEGED = ["admin", "ciso", "security", "management"]
NOT_PRIVILEGED = ["operations", "staff", "auditor", "external"]
PROTECTED = ["/", "/risks/", "/profile/", "/people/", "/audit/", "/people/invite/"]


@pytest.mark.parametrize("role", PRIVILEGED)
def test_privileged_roles_reach_nothing_before_enrolling(acme, role):
    client = acme.logged_in_client(getattr(acme, role), verified=False)
    for path in PROTECTED:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/2fa/enrol/?next="), path
    assert client.get("/2fa/enrol/").status_code == 200
    assert client.post("/logout/").status_code == 302


@pytest.mark.parametrize("role", PRIVILEGED)
def test_privileged_roles_with_a_device_must_verify_each_session(acme, role):
    user = getattr(acme, role)
    with schema_context("acme"):
        TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    client = acme.logged_in_client(user, verified=False)
    for path in PROTECTED:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/2fa/verify/?next="), path


@pytest.mark.parametrize("role", NOT_PRIVILEGED)
def test_other_roles_need_no_second_factor_by_default(acme, role):
    client = acme.logged_in_client(getattr(acme, role), verified=False)
    assert client.get("/").status_code == 200


def test_tenant_setting_requires_two_factor_for_everyone(acme):
    acme.tenant.require_two_factor = True
    acme.tenant.save(update_fields=["require_two_factor"])
    client = acme.logged_in_client(acme.staff, verified=False)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/2fa/enrol/")


def _secret(body: str) -> str:
    match = re.search(r'<code class="secret">([A-Z2-7]+)</code>', body)
    assert match, "the enrolment page shows the key for typing by hand"
    return match.group(1)


def test_enrolment_with_a_wrong_then_right_code_gives_ten_backup_codes(acme):
    client = acme.logged_in_client(acme.ciso, verified=False)
    page = client.get("/2fa/enrol/?next=/people/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code is drawn by the server
    secret = _secret(page)

    wrong = client.post("/2fa/enrol/", {"code": "000000", "next": "/people/"})
    assert "Too many wrong codes: wait 1 s" in wrong.content.decode()
    assert client.get("/people/").status_code == 302
    time.sleep(1.2)  # django-otp throttles a device for a second after a wrong code

    done = client.post("/2fa/enrol/", {"code": pyotp.TOTP(secret).now(), "next": "/people/"})
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/people/").status_code == 200
    with schema_context("acme"):
        actions = list(AuditEvent.objects.filter(actor=acme.ciso).values_list("action", flat=True))
    assert "2fa.enrolled" in actions and "2fa.enrolment_failed" in actions


def test_verification_by_app_and_by_single_use_backup_code(acme, rf):
    with schema_context("acme"):
        device = TOTPDevice.objects.create(user=acme.ciso, name="Phone", confirmed=True)
        request = rf.get("/")
        codes = twofactor.backup_codes_regenerate(request=request, user=acme.ciso)
    totp = pyotp.TOTP(_base32(device))

    by_app = acme.logged_in_client(acme.ciso, verified=False)
    response = by_app.post("/2fa/verify/", {"code": totp.now(), "next": "/people/"})
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert by_app.get("/people/").status_code == 200

    first = acme.logged_in_client(acme.ciso, verified=False)
    assert first.post("/2fa/verify/", {"code": codes[0], "next": "/"}).status_code == 302
    assert first.get("/").status_code == 200

    second = acme.logged_in_client(acme.ciso, verified=False)
    reused = second.post("/2fa/verify/", {"code": codes[0], "next": "/"})
    assert "not valid or has been used" in reused.content.decode()
    assert second.get("/").status_code == 302
    with schema_context("acme"):
        assert AuditEvent.objects.filter(actor=acme.ciso, action="2fa.failed").exists()
        assert AuditEvent.objects.filter(actor=acme.ciso, action="2fa.verified").count() == 2


def test_verification_never_redirects_off_site(acme):
    with schema_context("acme"):
        device = TOTPDevice.objects.create(user=acme.admin, name="Phone", confirmed=True)
    client = acme.logged_in_client(acme.admin, verified=False)
    response = client.post("/2fa/verify/", {"code": pyotp.TOTP(_base32(device)).now(), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_operators_on_the_public_host_always_need_two_factor(db, worlds):
    operator = User.objects.create_user("operator@platform.example", PASSWORD, is_staff=True, is_superuser=True)
    client = Client(HTTP_HOST="localhost")
    login = client.post("/login/", {"username": operator.email, "password": PASSWORD})
    assert login.status_code == 302
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/2fa/enrol/?next=%2Fadmin%2F"


def test_admin_login_page_goes_through_our_login(db, worlds):
    response = Client(HTTP_HOST="localhost").get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def _base32(device: TOTPDevice) -> str:
    return twofactor.totp_secret_base32(device)


def test_admin_turns_on_two_factor_for_everyone_in_the_ui(acme):
    admin = acme.logged_in_client(acme.admin)
    assert admin.post("/settings/security/", {"require_two_factor": "on"}).status_code == 302
    staff = acme.logged_in_client(acme.staff, verified=False)
    assert staff.get("/").status_code == 302
    with schema_context("acme"):
        event = AuditEvent.objects.get(action="tenant.two_factor_policy_changed")
    assert event.changes == {"require_two_factor": [False, True]}
    assert admin.post("/settings/security/", {}).status_code == 302
    acme.tenant.refresh_from_db()
    assert not acme.tenant.require_two_factor
    assert staff.get("/").status_code == 200


@pytest.mark.parametrize("role", ["ciso", "security", "management", "auditor", "staff", "external"])
def test_only_admins_change_the_security_settings(acme, role):
    client = acme.logged_in_client(getattr(acme, role))
    assert client.get("/settings/security/").status_code == 404
    assert client.post("/settings/security/", {"require_two_factor": "on"}).status_code == 404
    acme.tenant.refresh_from_db()
    assert not acme.tenant.require_two_factor


@pytest.mark.parametrize("role", NOT_PRIVILEGED)
def test_a_person_who_chose_two_factor_is_always_asked_for_it(acme, role):
    user = getattr(acme, role)
    with schema_context("acme"):
        device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    client = acme.client()
    login = client.post("/login/", {"username": user.email, "password": PASSWORD})
    assert login.status_code == 302
    for path in ["/", "/profile/", "/risks/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/2fa/verify/?next="), path
    verified = client.post("/2fa/verify/", {"code": pyotp.TOTP(_base32(device)).now(), "next": "/"})
    assert verified.status_code == 302 and verified["Location"] == "/"
    assert client.get("/").status_code == 200


def test_an_unconfirmed_authenticator_does_not_lock_a_person_out(acme):
    with schema_context("acme"):
        TOTPDevice.objects.create(user=acme.staff, name="Half set up", confirmed=False)
    assert acme.logged_in_client(acme.staff, verified=False).get("/").status_code == 200


def test_removing_the_chosen_authenticator_ends_the_question(acme, rf):
    with schema_context("acme"):
        device = TOTPDevice.objects.create(user=acme.staff, name="Phone", confirmed=True)
        twofactor.backup_codes_regenerate(request=rf.get("/"), user=acme.staff)
        device.delete()  # what removing it on the profile page does; the backup codes stay
    assert acme.logged_in_client(acme.staff, verified=False).get("/").status_code == 200
