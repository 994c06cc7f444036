"""Sessions end when idle; sensitive actions need the password (and the second factor) given in the last 10 minutes."""

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from accounts import services
from accounts.models import User
from accounts.sessions import AUTHENTICATED_AT_KEY, LAST_ACTIVITY_KEY
from audit.models import AuditEvent
from tenants.models import Tenant
from tests.conftest import PASSWORD

CODE = "rea7h123"


def _age(world, client, *, authenticated_ago=None, active_ago=None):
    """Pretend the client's last authentication (or last request) happened that long ago."""
    with schema_context(world.tenant.schema_name):
        session = client.session
        if authenticated_ago is not None:
            session[AUTHENTICATED_AT_KEY] = (timezone.now() - authenticated_ago).timestamp()
        if active_ago is not None:
            session[LAST_ACTIVITY_KEY] = (timezone.now() - active_ago).timestamp()
        session.save()
    return client


def _with_code(world, user):
    """A second-factor code the person can type at re-authentication."""
    with schema_context(world.tenant.schema_name):
        device = StaticDevice.objects.create(user=user, name="Test codes", confirmed=True)
        StaticToken.objects.create(device=device, token=CODE)


# --- the sensitive actions --------------------------------------------------------------------------------------


@dataclass
class Action:
    """One sensitive action: who does it, the request, and whether it took effect."""

    name: str
    actor: str
    method: str
    url: Any
    data: Any
    changed: Any
    prepare: Any = None


def _roles(world):
    with schema_context(world.tenant.schema_name):
        return User.objects.get(pk=world.staff.pk).role_names


def _staff_active(world):
    with schema_context(world.tenant.schema_name):
        return User.objects.get(pk=world.staff.pk).is_active


def _tenant(world):
    return Tenant.objects.get(pk=world.tenant.pk)


def _require_two_factor(world):
    Tenant.objects.filter(pk=world.tenant.pk).update(require_two_factor=True)


def _pending_devices(world):
    with schema_context(world.tenant.schema_name):
        return TOTPDevice.objects.filter(user=world.staff, confirmed=False).count()


def _backup_codes(world):
    with schema_context(world.tenant.schema_name):
        return StaticToken.objects.filter(device__user=world.staff, device__name="Backup codes").count()


def _authenticator(world):
    with schema_context(world.tenant.schema_name):
        return TOTPDevice.objects.filter(user=world.staff, confirmed=True).first()


ACTIONS = [
    Action(
        "change roles",
        "admin",
        "post",
        lambda w: f"/people/{w.staff.pk}/",
        lambda w: {"roles": ["Staff", "Auditor"]},
        lambda w: "Auditor" in _roles(w),
    ),
    Action(
        "offboard",
        "admin",
        "post",
        lambda w: f"/people/{w.staff.pk}/offboard/",
        lambda w: {"reassign_to": w.ciso.pk, "confirm": "on"},
        lambda w: not _staff_active(w),
    ),
    Action(
        "turn the tenant's two-factor requirement off",
        "admin",
        "post",
        lambda w: "/settings/security/",
        lambda w: {"require_two_factor": "", "backup_retention_days": "", "session_idle_minutes": ""},
        lambda w: not _tenant(w).require_two_factor,
        prepare=_require_two_factor,
    ),
    Action(
        "change the tenant's idle timeout",
        "admin",
        "post",
        lambda w: "/settings/security/",
        lambda w: {"backup_retention_days": "", "session_idle_minutes": "60"},
        lambda w: _tenant(w).session_idle_minutes == 60,
    ),
    Action(
        "add an authenticator",
        "staff",
        "get",
        lambda w: "/2fa/enrol/",
        lambda w: {},
        lambda w: _pending_devices(w) == 1,
    ),
    Action(
        "remove an authenticator",
        "staff",
        "post",
        lambda w: f"/profile/devices/{_authenticator(w).pk}/remove/",
        lambda w: {},
        lambda w: _authenticator(w) is None,
    ),
    Action(
        "new backup codes",
        "staff",
        "post",
        lambda w: "/profile/backup-codes/",
        lambda w: {},
        lambda w: _backup_codes(w) == 10,
    ),
]


def _do(world, action, client):
    url = action.url(world)
    return url, getattr(client, action.method)(url, action.data(world))


def _client_for(world, action, authenticated_ago):
    user = world.people[action.actor]
    if action.prepare:
        action.prepare(world)
    client = world.logged_in_client(user)
    _with_code(world, user)
    return _age(world, client, authenticated_ago=authenticated_ago), user


@pytest.mark.parametrize("action", ACTIONS, ids=[action.name for action in ACTIONS])
def test_an_authentication_older_than_ten_minutes_is_sent_to_reauthentication(acme, action):
    client, _user = _client_for(acme, action, dt.timedelta(minutes=11))

    url, response = _do(acme, action, client)

    assert response.status_code == 302
    assert response["Location"] == "/reauthenticate/?" + urlencode({"next": url})
    assert client.get(response["Location"]).status_code == 200
    assert not action.changed(acme)


@pytest.mark.parametrize("action", ACTIONS, ids=[action.name for action in ACTIONS])
def test_an_authentication_within_ten_minutes_proceeds(acme, action):
    client, _user = _client_for(acme, action, dt.timedelta(minutes=9))

    _url, response = _do(acme, action, client)

    assert not response.get("Location", "").startswith("/reauthenticate/")
    assert action.changed(acme)


@pytest.mark.parametrize("action", ACTIONS, ids=[action.name for action in ACTIONS])
def test_a_wrong_password_changes_nothing_and_the_right_one_returns_to_the_action(acme, action):
    client, user = _client_for(acme, action, dt.timedelta(minutes=11))
    url, response = _do(acme, action, client)
    reauth = response["Location"]

    wrong = client.post(reauth, {"password": "not-my-password-at-all", "code": CODE, "next": url})
    assert wrong.status_code == 200
    assert "That password or code is not right." in wrong.content.decode()
    _url, again = _do(acme, action, client)
    assert again["Location"].startswith("/reauthenticate/")
    assert not action.changed(acme)

    right = client.post(reauth, {"password": PASSWORD, "code": CODE, "next": url})
    assert right.status_code == 302 and right["Location"] == url
    _url, done = _do(acme, action, client)
    assert not done.get("Location", "").startswith("/reauthenticate/")
    assert action.changed(acme)
    with schema_context(acme.tenant.schema_name):
        assert AuditEvent.objects.filter(action="auth.reauthentication_failed", actor=user).count() == 1
        assert AuditEvent.objects.filter(action="auth.reauthenticated", actor=user).count() == 1


def test_a_person_with_an_authenticator_needs_the_code_too(acme):
    client = _age(acme, acme.logged_in_client(acme.admin), authenticated_ago=dt.timedelta(minutes=11))
    _with_code(acme, acme.admin)

    response = client.post(
        "/reauthenticate/", {"password": PASSWORD, "code": "00000000", "next": "/settings/security/"}
    )

    assert response.status_code == 200
    assert client.get("/settings/security/")["Location"].startswith("/reauthenticate/")


def test_a_person_without_an_authenticator_gives_the_password_only(acme):
    client = _age(acme, acme.logged_in_client(acme.staff, verified=False), authenticated_ago=dt.timedelta(minutes=11))
    page = client.get("/reauthenticate/?next=/profile/").content.decode()
    assert 'name="code"' not in page

    response = client.post("/reauthenticate/", {"password": PASSWORD, "next": "/profile/"})
    assert response.status_code == 302 and response["Location"] == "/profile/"


def test_reauthentication_never_sends_the_person_off_the_site(acme):
    client = _age(acme, acme.logged_in_client(acme.staff, verified=False), authenticated_ago=dt.timedelta(minutes=11))

    response = client.post("/reauthenticate/", {"password": PASSWORD, "next": "https://evil.example/phish"})

    assert response.status_code == 302 and response["Location"] == "/"


def test_looking_at_a_person_needs_no_reauthentication(acme):
    client = _age(acme, acme.logged_in_client(acme.admin), authenticated_ago=dt.timedelta(minutes=11))

    assert client.get(f"/people/{acme.staff.pk}/").status_code == 200


# --- the idle timeout -------------------------------------------------------------------------------------------


def test_a_session_idle_past_30_minutes_is_logged_out_at_its_next_request_and_audited(acme):
    client = _age(acme, acme.logged_in_client(acme.staff), active_ago=dt.timedelta(minutes=31))

    response = client.get("/profile/")

    assert response.status_code == 302 and response["Location"] == "/login/?next=%2Fprofile%2F"
    assert client.get("/")["Location"].startswith("/login/")
    with schema_context(acme.tenant.schema_name):
        event = AuditEvent.objects.get(action="auth.session_idle_logout")
        assert (event.actor_id, event.kind) == (acme.staff.pk, AuditEvent.Kind.SECURITY)


def test_a_session_used_within_the_idle_timeout_stays(acme):
    client = _age(acme, acme.logged_in_client(acme.staff), active_ago=dt.timedelta(minutes=29))

    assert client.get("/profile/").status_code == 200
    assert client.get("/profile/").status_code == 200


def test_the_tenants_own_idle_timeout_applies(acme):
    Tenant.objects.filter(pk=acme.tenant.pk).update(session_idle_minutes=60)

    kept = _age(acme, acme.logged_in_client(acme.staff), active_ago=dt.timedelta(minutes=45))
    assert kept.get("/profile/").status_code == 200
    ended = _age(acme, acme.logged_in_client(acme.ciso), active_ago=dt.timedelta(minutes=61))
    assert ended.get("/profile/")["Location"].startswith("/login/")


@pytest.mark.parametrize("minutes", ["4", "481", "abc"])
def test_an_idle_timeout_outside_the_platforms_bounds_is_refused_and_changes_nothing(acme, minutes):
    client = acme.logged_in_client(acme.admin)

    response = client.post("/settings/security/", {"session_idle_minutes": minutes})

    assert response.status_code == 200
    assert "session_idle_minutes" in response.context["form"].errors
    assert _tenant(acme).session_idle_minutes is None


def test_an_admin_sets_the_idle_timeout_on_the_security_settings_page(acme):
    client = acme.logged_in_client(acme.admin)
    assert "Log out after this many idle minutes" in client.get("/settings/security/").content.decode()

    assert client.post("/settings/security/", {"session_idle_minutes": "120"}).status_code == 302

    assert _tenant(acme).session_idle_minutes == 120
    with schema_context(acme.tenant.schema_name):
        event = AuditEvent.objects.get(action="tenant.session_idle_changed")
        assert event.changes == {"session_idle_minutes": [None, 120]}


def test_requests_do_not_stretch_the_absolute_lifetime_of_a_session(acme):
    client = acme.client()
    assert client.post("/login/", {"username": acme.staff.email, "password": PASSWORD}).status_code == 302
    with schema_context(acme.tenant.schema_name):
        ends = client.session.get_expiry_date()
    # Two minutes on: the next request writes its activity into the session.
    _age(acme, client, active_ago=dt.timedelta(minutes=2))
    assert client.get("/profile/").status_code == 200
    with schema_context(acme.tenant.schema_name):
        assert client.session.get_expiry_date() == ends


def test_session_kept_through_a_password_change_still_ends_at_deactivation(acme):
    with schema_context("acme"):
        person = services.user_create(email="mover@acme.example", roles=["Staff"], password=PASSWORD)
    browser = acme.client()
    assert browser.post("/login/", {"username": person.email, "password": PASSWORD}).status_code == 302
    changed = browser.post(
        "/profile/password/",
        {"old_password": PASSWORD, "new_password1": "a-brand-new-pass-77", "new_password2": "a-brand-new-pass-77"},
    )
    assert changed.status_code == 302
    admin = acme.logged_in_client(acme.admin)
    admin.post(f"/people/{person.pk}/status/", {"action": "deactivate"})
    admin.post(f"/people/{person.pk}/status/", {"action": "reactivate"})
    response = browser.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
