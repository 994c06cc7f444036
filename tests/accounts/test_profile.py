"""A person's own page: recent logins, changing the password, and single-use backup codes."""

import re

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_tenants.utils import schema_context

from accounts import services, twofactor
from accounts.roles import Role
from audit.models import AuditEvent
from tests.conftest import PASSWORD

NEW_PASSWORD = "amber-falcon-riverbank-58"
CODE = re.compile(r"<li><code>([a-z0-9]+)</code></li>")
CODE_REFUSED = "That code is not valid or has been used already."


@pytest.fixture
def clerk(acme):
    with schema_context(acme.tenant.schema_name):
        return services.user_create(
            email="clerk@acme.example", full_name="Carl Clerk", roles=[Role.STAFF], password=PASSWORD
        )


@pytest.fixture
def officer(acme):
    """A privileged person: two-factor is required of them."""
    with schema_context(acme.tenant.schema_name):
        return services.user_create(
            email="officer@acme.example", full_name="Olga Officer", roles=[Role.CISO], password=PASSWORD
        )


@pytest.fixture
def old_codes(acme, officer):
    """The officer's ten backup codes, made before the test."""
    codes = [StaticToken.random_token() for _ in range(twofactor.BACKUP_CODE_COUNT)]
    with schema_context(acme.tenant.schema_name):
        device = StaticDevice.objects.create(user=officer, name=twofactor.BACKUP_DEVICE_NAME, confirmed=True)
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _login(world, email, password=PASSWORD, **extra):
    return world.client().post("/login/", {"username": email, "password": password}, **extra)


def _verify(world, person, code):
    """Pass the two-factor check in a fresh session of ``person``; the response of the check."""
    client = world.logged_in_client(person, verified=False)
    return client.post("/2fa/verify/", {"code": code})


def _codes_left(world, person):
    with schema_context(world.tenant.schema_name):
        return set(StaticToken.objects.filter(device__user=person).values_list("token", flat=True))


# --- recent logins -----------------------------------------------------------------------


def test_profile_lists_the_persons_own_recent_logins_with_ip(acme, clerk):
    first = _login(acme, clerk.email, REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="FirstBrowser/1.0")
    assert first.status_code == 302
    assert _login(acme, clerk.email, REMOTE_ADDR="198.51.100.8", HTTP_USER_AGENT="SecondBrowser/2.0").status_code == 302
    assert _login(acme, acme.staff.email, REMOTE_ADDR="203.0.113.9").status_code == 302

    body = first.client.get("/profile/").content.decode()

    assert "Your recent logins" in body
    assert "<td>198.51.100.7</td>" in body and "FirstBrowser/1.0" in body
    assert "<td>198.51.100.8</td>" in body and "SecondBrowser/2.0" in body
    assert "203.0.113.9" not in body
    assert body.count("this one") == 1
    first_row = body[body.index("198.51.100.7") :].split("</tr>", 1)[0]
    assert "this one" in first_row


def test_profile_without_logins_says_so(acme, clerk):
    body = acme.logged_in_client(clerk).get("/profile/").content.decode()
    assert "No logins recorded yet." in body


def test_profile_needs_a_login(acme):
    response = acme.client().get("/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- password ----------------------------------------------------------------------------


def test_password_change_works_and_the_old_password_stops_working(acme, clerk):
    browser = _login(acme, clerk.email).client

    response = browser.post(
        "/profile/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/profile/"
    assert "Your password has been changed." in response.content.decode()
    assert browser.get("/profile/").status_code == 200  # still logged in here
    old = _login(acme, clerk.email, PASSWORD)
    assert old.status_code == 200
    assert "Please enter a correct e-mail address and password" in old.content.decode()
    assert _login(acme, clerk.email, NEW_PASSWORD).status_code == 302
    with schema_context(acme.tenant.schema_name):
        assert AuditEvent.objects.filter(action="user.password_changed", actor=clerk).exists()


def test_password_change_logs_out_other_sessions(acme, clerk):
    browser = _login(acme, clerk.email).client
    elsewhere = _login(acme, clerk.email).client
    assert elsewhere.get("/profile/").status_code == 200

    browser.post(
        "/profile/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    response = elsewhere.get("/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    "old, new, error",
    [
        ("wrong-old-password-1", NEW_PASSWORD, "Your old password was entered incorrectly."),
        (PASSWORD, "short-pw-1", "This password is too short. It must contain at least 12 characters."),
        (PASSWORD, "password1234", "This password is too common."),
        (PASSWORD, "739204816537291", "This password is entirely numeric."),
    ],
)
def test_password_change_is_refused_and_the_old_password_keeps_working(acme, clerk, old, new, error):
    browser = _login(acme, clerk.email).client

    response = browser.post("/profile/password/", {"old_password": old, "new_password1": new, "new_password2": new})

    assert response.status_code == 200
    assert error in response.content.decode()
    assert _login(acme, clerk.email, PASSWORD).status_code == 302
    assert _login(acme, clerk.email, new).status_code == 200


# --- backup codes ------------------------------------------------------------------------


def test_new_backup_codes_are_shown_once_and_replace_the_old_ones(acme, officer, old_codes):
    browser = acme.logged_in_client(officer)

    response = browser.post("/profile/backup-codes/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Your backup codes" in body
    new_codes = CODE.findall(body)
    assert len(new_codes) == 10
    assert len(set(new_codes)) == 10
    assert not set(new_codes) & set(old_codes)
    assert _codes_left(acme, officer) == set(new_codes)
    assert "10 backup codes left." in browser.get("/profile/").content.decode()

    works = _verify(acme, officer, new_codes[0])
    assert works.status_code == 302
    assert works.client.get("/").status_code == 200

    refused = _verify(acme, officer, old_codes[0])
    assert refused.status_code == 200
    assert CODE_REFUSED in refused.content.decode()
    gated = refused.client.get("/")
    assert gated.status_code == 302
    assert gated["Location"].startswith("/2fa/verify/")


def test_a_backup_code_works_once(acme, officer, old_codes):
    code = old_codes[3]

    first = _verify(acme, officer, code)
    assert first.status_code == 302
    assert first.client.get("/").status_code == 200
    assert code not in _codes_left(acme, officer)
    assert "9 backup codes left." in first.client.get("/profile/").content.decode()

    second = _verify(acme, officer, code)
    assert second.status_code == 200
    assert CODE_REFUSED in second.content.decode()
    assert second.client.get("/")["Location"].startswith("/2fa/verify/")


def test_backup_codes_can_be_typed_with_spaces(acme, officer, old_codes):
    code = old_codes[0]
    assert _verify(acme, officer, f" {code[:4]} {code[4:]} ").status_code == 302


def test_unverified_session_cannot_make_new_backup_codes(acme, officer, old_codes):
    browser = acme.logged_in_client(officer, verified=False)

    response = browser.post("/profile/backup-codes/")

    assert response.status_code == 302
    assert response["Location"].startswith("/2fa/verify/")
    assert _codes_left(acme, officer) == set(old_codes)


def test_opening_the_backup_codes_address_does_not_replace_them(acme, officer, old_codes):
    response = acme.logged_in_client(officer).get("/profile/backup-codes/")

    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    assert _codes_left(acme, officer) == set(old_codes)


def test_regenerating_backup_codes_is_audited(acme, officer, old_codes):
    acme.logged_in_client(officer).post("/profile/backup-codes/")
    with schema_context(acme.tenant.schema_name):
        assert AuditEvent.objects.filter(action="2fa.backup_codes_regenerated", actor=officer).count() == 1
        assert StaticDevice.objects.filter(user=officer).count() == 1
