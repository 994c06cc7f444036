"""Accepting an invitation: the link works once, for 72 hours, on its own tenant, and sets up the account."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Invitation, LoginRecord, User
from audit.models import AuditEvent
from tests.accounts.invitations import GOOD_PASSWORD, accept
from tests.conftest import PASSWORD

NO_LONGER_WORKS = "This link no longer works"


def _account_exists(world, email):
    with schema_context(world.tenant.schema_name):
        return User.objects.filter(email=email).exists()


@pytest.mark.parametrize(
    "password, error",
    [
        ("short-pw-1", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("739204816537291", "This password is entirely numeric."),
    ],
)
def test_weak_password_is_refused_and_creates_nothing(acme, invite, password, error):
    link = invite("nina@acme.example", ["Staff"])

    response = accept(acme, link, password=password)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert "_auth_user_id" not in response.client.session
    assert not _account_exists(acme, "nina@acme.example")
    # The link is not used up by a refused attempt.
    assert acme.client().get(urlsplit(link).path).status_code == 200


def test_two_different_passwords_are_refused(acme, invite):
    link = invite("nina@acme.example", ["Staff"])
    response = acme.client().post(
        urlsplit(link).path,
        {"full_name": "Nina", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD + "x"},
    )
    assert response.status_code == 200
    assert "The two passwords differ." in response.content.decode()
    assert not _account_exists(acme, "nina@acme.example")


def test_privileged_invitee_gets_the_roles_is_logged_in_and_must_enrol_two_factor(acme, invite):
    link = invite("nina@acme.example", ["CISO"], full_name="Nina N.")

    response = accept(acme, link, full_name="Nina Newcomer")
    assert response.status_code == 302
    assert response["Location"] == "/"
    follow = response.client.get("/", follow=True)
    assert follow.redirect_chain[-1][0].startswith("/2fa/enrol/")
    assert "Set up two-factor authentication" in follow.content.decode()

    with schema_context(acme.tenant.schema_name):
        user = User.objects.get(email="nina@acme.example")
        assert user.full_name == "Nina Newcomer"
        assert user.role_names == ["CISO"]
        assert user.check_password(GOOD_PASSWORD)
        assert str(user.pk) == response.client.session["_auth_user_id"]
        assert LoginRecord.objects.filter(user=user).count() == 1
        invitation = Invitation.objects.get(email="nina@acme.example")
        assert invitation.accepted_user == user
        assert AuditEvent.objects.filter(action="invitation.accepted", actor=user).exists()


def test_staff_invitee_lands_on_the_dashboard(acme, invite):
    link = invite("nina@acme.example", ["Staff"])

    response = accept(acme, link, full_name="Nina Newcomer")
    dashboard = response.client.get(response["Location"])

    body = dashboard.content.decode()
    assert dashboard.status_code == 200
    assert "Welcome, Nina" in body
    assert "Welcome! Your account is ready." in body
    with schema_context(acme.tenant.schema_name):
        assert User.objects.get(email="nina@acme.example").role_names == ["Staff"]


def test_the_link_works_once(acme, invite):
    link = invite("nina@acme.example", ["Staff"])
    assert accept(acme, link).status_code == 302

    again = acme.client().get(urlsplit(link).path)
    assert again.status_code == 404
    assert NO_LONGER_WORKS in again.content.decode()

    replay = accept(acme, link, password="another-fine-passphrase-9")
    assert replay.status_code == 404
    assert "_auth_user_id" not in replay.client.session
    with schema_context(acme.tenant.schema_name):
        assert User.objects.get(email="nina@acme.example").check_password(GOOD_PASSWORD)


def test_expired_link_does_not_work(acme, invite):
    link = invite("nina@acme.example", ["Staff"])
    with schema_context(acme.tenant.schema_name):
        Invitation.objects.filter(email="nina@acme.example").update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    page = acme.client().get(urlsplit(link).path)
    assert page.status_code == 404
    assert NO_LONGER_WORKS in page.content.decode()
    assert accept(acme, link).status_code == 404
    assert not _account_exists(acme, "nina@acme.example")


def test_revoked_link_does_not_work(acme, invite):
    link = invite("nina@acme.example", ["Staff"])
    with schema_context(acme.tenant.schema_name):
        invitation = Invitation.objects.get(email="nina@acme.example")

    admin = acme.logged_in_client(acme.admin)
    response = admin.post(f"/people/invitations/{invitation.pk}/revoke/", follow=True)
    assert "The invitation to nina@acme.example was revoked." in response.content.decode()

    page = acme.client().get(urlsplit(link).path)
    assert page.status_code == 404
    assert NO_LONGER_WORKS in page.content.decode()
    assert accept(acme, link).status_code == 404
    assert not _account_exists(acme, "nina@acme.example")


def test_the_link_is_not_kept_in_clear(acme, invite):
    link = invite("nina@acme.example", ["Staff"])
    token = urlsplit(link).path.rstrip("/").rsplit("/", 1)[-1]
    assert len(token) >= 32

    with schema_context(acme.tenant.schema_name):
        invitation = Invitation.objects.get(email="nina@acme.example")
        assert invitation.token_hash != token
        assert token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())
        assert all(token not in str(event.changes) + event.path for event in AuditEvent.objects.all())
    assert token not in acme.logged_in_client(acme.admin).get("/people/").content.decode()


def test_the_link_does_not_work_on_another_tenants_host(acme, globex, invite):
    link = invite("nina@acme.example", ["Staff"])

    assert globex.client().get(urlsplit(link).path).status_code == 404
    assert accept(globex, link).status_code == 404
    assert not _account_exists(globex, "nina@acme.example")
    assert acme.client().get(urlsplit(link).path).status_code == 200


def test_accepting_after_someone_made_the_account_meanwhile_is_refused(acme, invite):
    link = invite("nina@acme.example", ["Admin"])
    with schema_context(acme.tenant.schema_name):
        User.objects.create_user("nina@acme.example", PASSWORD)

    response = accept(acme, link)
    assert response.status_code == 200
    assert "A user with the e-mail address nina@acme.example already exists." in response.content.decode()
    assert "_auth_user_id" not in response.client.session
    with schema_context(acme.tenant.schema_name):
        assert User.objects.get(email="nina@acme.example").role_names == []
