"""The operations page, restore drills on demand, and the nightly fan-out."""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from accounts import services as account_services
from accounts.models import User
from backups import services, tasks
from backups.models import BackupRecord, RestoreDrill
from isms.celery import app
from tenants.models import Tenant

pytestmark = pytest.mark.slow


def _client(tenant: Tenant, role: str) -> Client:
    client = Client(HTTP_HOST=f"{tenant.slug}.localhost")
    with schema_context(tenant.schema_name):
        user = User.objects.filter(groups__name=role).first() or account_services.user_create(
            email=f"{role.lower()}@{tenant.slug}.example", roles=[role]
        )
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.mark.parametrize(
    "role, allowed",
    [("Admin", True), ("CISO", True), ("Security", False), ("Management", False), ("Auditor", False), ("Staff", False)],
)
def test_operations_page_role_matrix(tenant, django_db_blocker, role, allowed):
    with django_db_blocker.unblock():
        assert _client(tenant, role).get("/operations/").status_code == (200 if allowed else 404)


def test_operations_page_shows_backups_and_a_drill_run_on_demand(tenant, django_db_blocker):
    with django_db_blocker.unblock():
        client = _client(tenant, "CISO")
        assert "No backup yet." in client.get("/operations/").content.decode()
        record = services.backup_tenant(tenant=tenant, slot="2026-11-26")
        page = client.get("/operations/").content.decode()
        assert "2026-11-26" in page and record.sha256[:15] in page
        response = client.post("/operations/drill/", follow=True)
        body = response.content.decode()
        assert "Drill passed: restored and verified in" in body
        with schema_context(tenant.schema_name):
            assert RestoreDrill.objects.get().status == "passed"
        assert _client(tenant, "Staff").post("/operations/drill/").status_code == 404


def test_nightly_fan_out_backs_up_active_tenants_once_and_skips_suspended(tenant, worlds, django_db_blocker):
    with django_db_blocker.unblock():
        others = list(Tenant.objects.exclude(schema_name="public").exclude(pk=tenant.pk).filter(status="active"))
        Tenant.objects.filter(pk__in=[t.pk for t in others]).update(status="suspended")
        app.conf.task_always_eager = True
        try:
            tasks.backup_dispatch.apply()
            tasks.backup_dispatch.apply()  # a duplicated dispatch makes no second backup
        finally:
            app.conf.task_always_eager = False
            Tenant.objects.filter(pk__in=[t.pk for t in others]).update(status="active")
        with schema_context(tenant.schema_name):
            assert BackupRecord.objects.filter(status="succeeded").count() == 1
        for other in others:
            with schema_context(other.schema_name):
                assert not BackupRecord.objects.exists()
