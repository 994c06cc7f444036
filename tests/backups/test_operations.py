"""The backups and restore drills page, restore drills on demand, and the nightly fan-out."""

import psycopg
import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from accounts import services as account_services
from accounts.models import User
from audit.models import AuditEvent
from backups import services, tasks
from backups.models import BackupRecord, RestoreDrill
from core.schemas import current_schema_name
from isms.celery import app
from tenants.models import Tenant
from tests.support import database_url

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
        assert "<h1>Backups and restore drills</h1>" in page and "<title>Backups and restore drills" in page
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


@pytest.fixture
def sent_drills(monkeypatch) -> list[dict]:
    """Drill tasks queued for a worker, caught instead of sent to the broker."""
    sent: list[dict] = []
    monkeypatch.setattr(
        tasks.restore_drill_run,
        "apply_async",
        lambda **options: sent.append({**options, "schema": current_schema_name()}),  # the schema it is sent for
    )
    return sent


def _run(message: dict):
    """What a worker does with a queued message: run the task in the schema it was sent for."""
    with schema_context(message["schema"]):
        return tasks.restore_drill_run.apply(args=message["args"], throw=True)


def test_a_drill_asked_for_on_the_page_is_queued_then_run_by_a_worker_and_audited(
    tenant, django_db_blocker, sent_drills
):
    with django_db_blocker.unblock():
        services.backup_tenant(tenant=tenant, slot="2026-11-26")
        client = _client(tenant, "CISO")
        with schema_context(tenant.schema_name):
            ciso = User.objects.filter(groups__name="CISO").first()
        assert ciso is not None
        page = client.post("/operations/drill/", follow=True).content.decode()
        assert "Restore drill queued. This page shows its progress." in page
        assert "Waiting for a worker" in page and '<meta http-equiv="refresh" content="5">' in page
        assert f"Asked for by {ciso.email}" in page
        with schema_context(tenant.schema_name):
            drill = RestoreDrill.objects.get()
        assert (drill.status, drill.restore_seconds, drill.finished_at) == ("queued", None, None)  # nothing ran
        assert [message["args"] for message in sent_drills] == [(drill.pk,)]
        assert sent_drills[0]["schema"] == tenant.schema_name

        _run(sent_drills[0])
        with schema_context(tenant.schema_name):
            drill.refresh_from_db()
            assert drill.status == "passed", drill.error
            events = list(AuditEvent.objects.filter(action__startswith="backup.drill").order_by("id"))
        assert [(event.action, event.actor_id, event.actor_label) for event in events] == [
            ("backup.drill_requested", ciso.pk, ciso.email),
            ("backup.drill_passed", ciso.pk, ciso.email),
        ]
        page = client.get("/operations/").content.decode()
        assert "Passed" in page and 'http-equiv="refresh"' not in page


def test_a_second_drill_request_while_one_is_queued_or_running_is_refused(tenant, django_db_blocker, sent_drills):
    with django_db_blocker.unblock():
        services.backup_tenant(tenant=tenant, slot="2026-11-26")
        client = _client(tenant, "CISO")
        client.post("/operations/drill/")
        page = client.post("/operations/drill/", follow=True).content.decode()
        assert "A restore drill is already queued or running. Wait for it to finish." in page
        assert len(sent_drills) == 1
        with schema_context(tenant.schema_name):
            drill = RestoreDrill.objects.get()
            RestoreDrill.objects.filter(pk=drill.pk).update(status="running")
        # A worker is running it (it holds the tenant's drill lock in its own session).
        holder = psycopg.connect(database_url().replace("postgres://", "postgresql://"), autocommit=True)
        try:
            holder.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [0xD811, tenant.schema_name])
            page = client.post("/operations/drill/", follow=True).content.decode()
            assert "A restore drill is already queued or running." in page
            with pytest.raises(services.DrillBusy):  # nor may a command start one beside it
                services.restore_drill(tenant=tenant, record=drill.backup)
        finally:
            holder.close()
        with schema_context(tenant.schema_name):
            assert list(RestoreDrill.objects.values_list("status", flat=True)) == ["running"]
        assert len(sent_drills) == 1


def test_the_weekly_drill_is_queued_as_scheduled(tenant, django_db_blocker, sent_drills):
    with django_db_blocker.unblock():
        services.backup_tenant(tenant=tenant, slot="2026-11-26")
        with schema_context("public"):
            tasks.restore_drill.apply(headers={"_schema_name": tenant.schema_name}, throw=True)
        _run(sent_drills[0])
        with schema_context(tenant.schema_name):
            drill = RestoreDrill.objects.get()
            assert (drill.status, drill.requested_by, drill.requested_label) == ("passed", None, "scheduled")
            assert set(
                AuditEvent.objects.filter(action__startswith="backup.drill").values_list("action", "actor_label")
            ) == {("backup.drill_requested", "scheduled"), ("backup.drill_passed", "scheduled")}
        assert "Scheduled" in _client(tenant, "CISO").get("/operations/").content.decode()


def test_the_drill_task_refuses_to_run_in_the_public_schema(db):
    from core.tasks import PublicSchemaError

    with pytest.raises(PublicSchemaError, match="needs a tenant schema"):
        tasks.restore_drill_run.apply(args=[1], throw=True)
