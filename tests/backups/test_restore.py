"""Restoring a tenant in place: the backup replaces the live data, or, on failure, nothing changes."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_tenants.utils import schema_context

from backups import services
from backups.models import BackupRecord
from core.schemas import use_public_schema
from risks.models import Risk
from tenants.models import Tenant

pytestmark = pytest.mark.slow


def _titles(tenant: Tenant) -> list[str]:
    with schema_context(tenant.schema_name):
        return sorted(Risk.objects.values_list("title", flat=True))


def _add_risk_after_backup(tenant: Tenant) -> None:
    with schema_context(tenant.schema_name):
        first = Risk.objects.get()
        Risk.objects.create(
            reference="R-999", title="Added after the backup", owner=first.owner, likelihood=1, impact=1
        )


def test_in_place_restore_brings_back_the_backed_up_data_and_keeps_backup_history(tenant, django_db_blocker):
    with django_db_blocker.unblock():
        record = services.backup_tenant(tenant=tenant, slot="2026-11-26")
        before = _titles(tenant)
        _add_risk_after_backup(tenant)
        call_command(
            "restore_tenant",
            "--tenant",
            tenant.slug,
            "--backup",
            str(record.pk),
            "--in-place",
            "--yes",
            stdout=io.StringIO(),
        )
        assert _titles(tenant) == before
        with schema_context(tenant.schema_name):
            assert BackupRecord.objects.get(pk=record.pk).status == "succeeded"  # not rewound to "running"
        tenant.refresh_from_db()
        assert tenant.status == "active"
        with schema_context(tenant.schema_name):
            from audit.models import AuditEvent

            assert AuditEvent.objects.filter(action="backup.restored_in_place").exists()


def test_in_place_restore_keeps_the_audit_events_written_after_the_backup_and_the_chain_verifies(
    tenant, django_db_blocker
):
    import audit
    from audit.models import AuditEvent
    from audit.services import chain_anchor, chain_verify_anchored

    with django_db_blocker.unblock():
        record = services.backup_tenant(tenant=tenant, slot="2026-11-26")
        with schema_context(tenant.schema_name):
            after_backup = [
                audit.record(actor=None, actor_label="ciso", action=f"risk.reviewed-{n}", changes={"n": [0, n]})
                for n in (1, 2)
            ]
            assert chain_anchor(report=chain_verify_anchored()) is not None  # the daily anchor of this head
        services.restore_in_place(tenant=tenant, record=record)

        with schema_context(tenant.schema_name):
            kept = list(AuditEvent.objects.filter(pk__in=[e.pk for e in after_backup]).order_by("id"))
            restore_event = AuditEvent.objects.order_by("-id").first()
            report = chain_verify_anchored()
            audit.record(actor=None, action="risk.reviewed-after-restore")  # the trail goes on
            assert chain_verify_anchored().intact
    assert [(e.action, e.hash) for e in kept] == [(e.action, e.hash) for e in after_backup]
    assert restore_event is not None
    assert restore_event.action == "backup.restored_in_place"
    assert restore_event.prev_hash == after_backup[-1].hash
    assert restore_event.changes == {"backup": [None, "2026-11-26"], "audit_events_after_backup": [None, 2]}
    assert (report.intact, report.anchors_checked, report.anchors_refused) == (True, 1, ())


def test_failed_verification_puts_the_live_schema_back(tenant, django_db_blocker, monkeypatch):
    with django_db_blocker.unblock():
        record = services.backup_tenant(tenant=tenant, slot="2026-11-26")
        _add_risk_after_backup(tenant)
        live = _titles(tenant)
        real = services.schema_fingerprint

        def wrong_after_restore(cursor, schema):
            result = real(cursor, schema)
            result["risks_risk"] = {"rows": -1, "digest": "0"}
            return result

        monkeypatch.setattr(services.restore, "schema_fingerprint", wrong_after_restore)
        with pytest.raises(CommandError, match="does not match the backup; the live schema was put back"):
            call_command(
                "restore_tenant",
                "--tenant",
                tenant.slug,
                "--backup",
                str(record.pk),
                "--in-place",
                "--yes",
                stdout=io.StringIO(),
            )
        assert _titles(tenant) == live  # untouched, including what came after the backup
        tenant.refresh_from_db()
        assert tenant.status == "active"
        with schema_context(tenant.schema_name):
            assert BackupRecord.objects.get(pk=record.pk).status == "succeeded"


def test_a_tampered_archive_is_refused_before_anything_changes(tenant, django_db_blocker):
    from pathlib import Path

    from backups.store import BackupStore

    with django_db_blocker.unblock():
        record = services.backup_tenant(tenant=tenant, slot="2026-11-26")
        _add_risk_after_backup(tenant)
        live = _titles(tenant)
        path = Path(BackupStore(tenant)._folder()) / record.object_name
        data = bytearray(path.read_bytes())
        data[100] ^= 1
        path.write_bytes(bytes(data))
        with pytest.raises(services.BackupError, match="does not match the checksum"):
            services.restore_in_place(tenant=tenant, record=record)
        assert _titles(tenant) == live


def test_the_tenant_shows_a_maintenance_page_while_restoring(tenant, django_db_blocker):
    with django_db_blocker.unblock():
        Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.MAINTENANCE)
        try:
            response = Client(HTTP_HOST=f"{tenant.slug}.localhost").get("/login/")
            assert response.status_code == 503
            assert "Maintenance in progress" in response.content.decode()
            assert Client(HTTP_HOST=f"{tenant.slug}.localhost").get("/healthz").status_code == 200
        finally:
            use_public_schema()  # the request left the connection in the tenant's schema and role
            Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.ACTIVE)


def test_in_place_restore_asks_for_confirmation(tenant, django_db_blocker, monkeypatch):
    with django_db_blocker.unblock():
        record = services.backup_tenant(tenant=tenant, slot="2026-11-26")
        _add_risk_after_backup(tenant)
        live = _titles(tenant)
        monkeypatch.setattr("builtins.input", lambda prompt: "no")
        with pytest.raises(CommandError, match="Not confirmed"):
            call_command("restore_tenant", "--tenant", tenant.slug, "--backup", str(record.pk), "--in-place")
        assert _titles(tenant) == live
