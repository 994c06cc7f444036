"""The platform overview: operators see the backup and drill figures of every tenant; tenants never do."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from backups.models import BackupRecord
from tenants.operations import operations_overview


def test_overview_has_one_row_of_aggregates_per_tenant(db, worlds):
    rows = {row.slug: row for row in operations_overview()}
    assert {"acme", "globex"} <= set(rows)
    assert rows["acme"].last_backup_age_hours is None and rows["acme"].backups_kept == 0


def test_operators_page_needs_a_verified_operator(db, worlds):
    operator = User.objects.create_user("op@platform.example", "operator-pass-123", is_staff=True, is_superuser=True)
    client = Client(HTTP_HOST="localhost")
    client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/admin/operations/").status_code == 302  # to two-factor enrolment
    device = TOTPDevice.objects.create(user=operator, name="op", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    page = client.get("/admin/operations/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "acme" in body and "globex" in body
    assert "<title>Platform overview" in body and "<h1>Platform overview</h1>" in body
    assert BackupRecord._meta.db_table not in body


def test_tenant_hosts_have_no_platform_overview(acme):
    assert acme.logged_in_client(acme.admin).get("/admin/operations/").status_code == 404
