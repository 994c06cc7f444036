"""The operators' admin on the public host: only a superuser makes someone a superuser."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

PASSWORD = "operator-pass-123"


def _operator_client(operator: User) -> Client:
    """A public-host client of ``operator``, past the two-factor check."""
    client = Client(HTTP_HOST="localhost")
    client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.create(user=operator, name="op", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def staff_operator(db, worlds) -> User:
    """An operator who may manage operator accounts, but is no superuser."""
    operator = User.objects.create_user("staff-op@platform.example", PASSWORD, full_name="Stan Staff", is_staff=True)
    operator.user_permissions.set(
        Permission.objects.filter(content_type__app_label="accounts", codename__in=["view_user", "change_user"])
    )
    return operator


def _form(user: User, **overrides: str) -> dict[str, str]:
    data = {"email": user.email, "full_name": user.full_name or "Someone", "is_active": "on", "is_staff": "on"}
    data.update(overrides)
    return data


def test_a_staff_operator_is_not_offered_superuser_and_cannot_post_it(staff_operator):
    other = User.objects.create_user("other-op@platform.example", PASSWORD, full_name="Olga Other", is_staff=True)
    client = _operator_client(staff_operator)
    page = client.get(f"/admin/accounts/user/{other.pk}/change/")
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    saved = client.post(f"/admin/accounts/user/{other.pk}/change/", _form(other, is_superuser="on"))
    assert saved.status_code == 302
    other.refresh_from_db()
    assert not other.is_superuser


def test_a_staff_operator_cannot_make_themselves_superuser(staff_operator):
    client = _operator_client(staff_operator)
    client.post(f"/admin/accounts/user/{staff_operator.pk}/change/", _form(staff_operator, is_superuser="on"))
    staff_operator.refresh_from_db()
    assert not staff_operator.is_superuser


def test_a_staff_operator_cannot_change_a_superusers_account(staff_operator):
    boss = User.objects.create_user("boss@platform.example", PASSWORD, is_staff=True, is_superuser=True)
    client = _operator_client(staff_operator)
    client.post(f"/admin/accounts/user/{boss.pk}/change/", _form(boss, email="mine@platform.example"))
    boss.refresh_from_db()
    assert boss.email == "boss@platform.example"


def test_a_superuser_grants_superuser(staff_operator):
    boss = User.objects.create_user("boss@platform.example", PASSWORD, is_staff=True, is_superuser=True)
    client = _operator_client(boss)
    assert 'name="is_superuser"' in client.get(f"/admin/accounts/user/{staff_operator.pk}/change/").content.decode()
    saved = client.post(f"/admin/accounts/user/{staff_operator.pk}/change/", _form(staff_operator, is_superuser="on"))
    assert saved.status_code == 302
    staff_operator.refresh_from_db()
    assert staff_operator.is_superuser
