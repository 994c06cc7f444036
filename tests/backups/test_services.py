"""Encrypted backups and restore drills against real PostgreSQL (pg_dump/pg_restore) and real storage."""

import base64
import datetime as dt
import hashlib
import io
import shutil
import tarfile
import tempfile
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from accounts.models import User
from backups import services
from backups.models import BackupRecord, RestoreDrill
from backups.store import BackupStore
from core.schemas import current_schema_name
from incidents import attachments
from incidents import services as incident_services
from incidents.models import Attachment
from tenants import services as tenant_services
from tenants.models import Tenant, TenantKey
from tests.backups.conftest import FILE_BYTES, SECRET_TITLE

pytestmark = pytest.mark.slow


def _stored_bytes(tenant: Tenant, record: BackupRecord) -> bytes:
    buffer = io.BytesIO()
    BackupStore(tenant).open(record.object_name, buffer)
    return buffer.getvalue()


def test_backup_then_drill_restores_data_and_files_exactly(tenant, django_db_blocker):
    with django_db_blocker.unblock():
        record = services.backup_tenant(tenant=tenant, slot="2026-11-26")
        assert record.status == "succeeded", record.error
        stored = _stored_bytes(tenant, record)
        assert SECRET_TITLE.encode() not in stored and b"plaintext-marker-file" not in stored  # ciphertext
        assert hashlib.sha256(stored).hexdigest() == record.sha256 and len(stored) == record.size
        assert record.manifest["files"] == 1 and "risks_risk" in record.manifest["tables"]

        drill = services.restore_drill(tenant=tenant, record=record)
        assert drill.status == "passed", drill.error
        assert drill.tables_checked == len(record.manifest["tables"])
        assert drill.restore_seconds is not None and drill.restore_seconds < services.RTO.total_seconds()
        assert drill.backup_age_seconds is not None and drill.backup_age_seconds < services.RPO.total_seconds()

        with tempfile.TemporaryDirectory() as tmp:
            manifest = services._archive_open(tenant, record, Path(tmp))
            assert (Path(tmp) / "archive" / "files" / "evidence" / "firewall.txt").read_bytes() == FILE_BYTES
        assert manifest["tenant"] == {
            "name": "Backed up AB",
            "domains": [f"{tenant.slug}.localhost"],
            "time_zone": "Europe/Stockholm",
        }


def test_same_slot_twice_makes_one_backup(tenant, django_db_blocker):
    with django_db_blocker.unblock():
        first = services.backup_tenant(tenant=tenant, slot="2026-11-26")
        second = services.backup_tenant(tenant=tenant, slot="2026-11-26")
        assert first.pk == second.pk
        with schema_context(tenant.schema_name):
            assert BackupRecord.objects.count() == 1
        assert BackupStore(tenant).names() == [first.object_name]


def _tamper(tenant: Tenant, record: BackupRecord, change) -> None:
    folder = Path(BackupStore(tenant)._folder())
    path = folder / record.object_name
    path.write_bytes(change(path.read_bytes()))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda data: data[:500] + bytes([data[500] ^ 1]) + data[501:], "does not match the checksum"),
        (lambda data: data[: len(data) // 2], "does not match the checksum"),
    ],
)
def test_tampered_or_truncated_archives_are_refused(tenant, django_db_blocker, change, message):
    with django_db_blocker.unblock():
        record = services.backup_tenant(tenant=tenant, slot="2026-11-26")
        _tamper(tenant, record, change)
        drill = services.restore_drill(tenant=tenant, record=record)
        assert drill.status == "failed" and message in drill.error


def test_a_tampered_archive_with_a_forged_checksum_still_fails_to_decrypt(tenant, django_db_blocker):
    with django_db_blocker.unblock():
        record = services.backup_tenant(tenant=tenant, slot="2026-11-26")
        _tamper(tenant, record, lambda data: data[:-40] + bytes(b ^ 0xFF for b in data[-40:]))
        with schema_context(tenant.schema_name):
            BackupRecord.objects.filter(pk=record.pk).update(
                sha256=hashlib.sha256(_stored_bytes(tenant, record)).hexdigest()
            )
            record.refresh_from_db()
        drill = services.restore_drill(tenant=tenant, record=record)
        assert drill.status == "failed" and "cannot be decrypted" in drill.error


def test_wrong_master_key_is_refused(tenant, django_db_blocker, settings):
    with django_db_blocker.unblock():
        record = services.backup_tenant(tenant=tenant, slot="2026-11-26")
        settings.ISMS_MASTER_KEY = "b3RoZXItbWFzdGVyLWtleS0zMi1ieXRlcy1sb25nISE="
        drill = services.restore_drill(tenant=tenant, record=record)
        assert drill.status == "failed" and "cannot be decrypted" in drill.error


def test_another_tenants_archive_is_refused(tenant, worlds, django_db_blocker):
    acme = worlds["acme"].tenant
    with django_db_blocker.unblock():
        record = services.backup_tenant(tenant=tenant, slot="2026-11-26")
        # Put this tenant's archive where acme's backup would be, under acme's record.
        with schema_context(acme.schema_name):
            forged = BackupRecord.objects.create(
                slot=f"forged-{uuid.uuid4().hex[:6]}",
                object_name=record.object_name,
                status="succeeded",
                sha256=record.sha256,
                size=record.size,
                finished_at=timezone.now(),
            )
        target = Path(BackupStore(acme)._folder())
        shutil.copyfile(Path(BackupStore(tenant)._folder()) / record.object_name, target / record.object_name)
        try:
            drill = services.restore_drill(tenant=acme, record=forged)
            assert drill.status == "failed" and "cannot be decrypted" in drill.error
        finally:
            (target / record.object_name).unlink(missing_ok=True)
            with schema_context(acme.schema_name):
                RestoreDrill.objects.filter(backup=forged).delete()
                forged.delete()


def test_retention_prunes_old_archives_and_keeps_young_ones(tenant, django_db_blocker):
    with django_db_blocker.unblock():
        old = services.backup_tenant(tenant=tenant, slot="2026-11-10")
        young = services.backup_tenant(tenant=tenant, slot="2026-11-25")
        now = timezone.now()
        with schema_context(tenant.schema_name):
            BackupRecord.objects.filter(pk=old.pk).update(finished_at=now - dt.timedelta(days=8))
            BackupRecord.objects.filter(pk=young.pk).update(finished_at=now - dt.timedelta(days=6))
        assert services.backups_prune(tenant=tenant, now=now) == 1
        with schema_context(tenant.schema_name):
            assert BackupRecord.objects.get(pk=old.pk).status == "pruned"
            assert BackupRecord.objects.get(pk=young.pk).status == "succeeded"
        assert BackupStore(tenant).names() == [young.object_name]


def test_a_backup_left_running_by_a_dead_worker_is_failed_and_cleaned_by_the_next_run(tenant, django_db_blocker):
    with django_db_blocker.unblock():
        with schema_context(tenant.schema_name):
            orphan = BackupRecord.objects.create(slot="2026-11-25", object_name=f"{tenant.slug}-orphan.tar.enc")
        partial = Path(BackupStore(tenant)._folder()) / f"{orphan.object_name}.partial"
        partial.write_bytes(b"half an archive")
        record = services.backup_tenant(tenant=tenant, slot="2026-11-26")
        assert record.status == "succeeded"
        with schema_context(tenant.schema_name):
            orphan.refresh_from_db()
        assert orphan.status == "failed" and "worker stopped" in orphan.error
        assert not partial.exists()


def test_archive_holds_the_dump_manifest_and_files(tenant, django_db_blocker):
    with django_db_blocker.unblock():
        record = services.backup_tenant(tenant=tenant, slot="2026-11-26")
        with tempfile.TemporaryDirectory() as tmp:
            services._archive_open(tenant, record, Path(tmp))
            with tarfile.open(Path(tmp) / "archive.tar") as archive:
                names = archive.getnames()
    assert {"schema.dump", "manifest.json", "files/evidence/firewall.txt"} <= set(names)


def test_backup_and_drill_through_azure_blob(worlds, azurite, django_db_blocker):
    """The production shape: the archive goes to the tenant's own backups container (Azurite here)."""
    from azure.storage.blob import BlobServiceClient

    slug = f"bkaz-{uuid.uuid4().hex[:6]}"
    with (
        override_settings(
            AZURE_STORAGE_CONNECTION_STRING=azurite,
            STORAGES={
                "default": {"BACKEND": "core.storage.TenantAzureStorage"},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
        ),
        django_db_blocker.unblock(),
    ):
        tenant = tenant_services.tenant_provision(slug=slug, name="Azure AB", admin_email=f"a@{slug}.example").tenant
        try:
            with schema_context(tenant.schema_name):
                default_storage.save("evidence/cloud.txt", ContentFile(FILE_BYTES))
            record = services.backup_tenant(tenant=tenant, slot="2026-11-26")
            assert record.status == "succeeded", record.error
            container = BlobServiceClient.from_connection_string(azurite).get_container_client(f"{slug}-backups")
            assert [blob.name for blob in container.list_blobs()] == [record.object_name]
            assert b"plaintext-marker-file" not in container.download_blob(record.object_name).readall()
            assert record.manifest["files"] == 1
            drill = services.restore_drill(tenant=tenant, record=record)
            assert drill.status == "passed", drill.error
        finally:
            tenant_services.tenant_delete(slug=slug)


def test_backup_and_restore_commands(tenant, django_db_blocker):
    from django.core.management import call_command

    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command("backup_tenant", "--tenant", tenant.slug, stdout=out)
        with schema_context(tenant.schema_name):
            record = BackupRecord.objects.get()
        call_command("restore_tenant", "--tenant", tenant.slug, "--backup", str(record.pk), "--into-drill", stdout=out)
    assert f"Backup {record.pk} of {tenant.slug}" in out.getvalue()
    assert "Restored backup" in out.getvalue() and "verified" in out.getvalue()


def test_a_tenant_chooses_its_retention_within_the_platform_bounds(tenant, django_db_blocker):
    from django.test import Client

    from tests.backups.test_operations import _client

    with django_db_blocker.unblock():
        admin: Client = _client(tenant, "Admin")
        too_long = admin.post("/settings/security/", {"backup_retention_days": "90"})
        assert "Backups are kept 7 to 35 days." in too_long.content.decode()
        assert admin.post("/settings/security/", {"backup_retention_days": "14"}).status_code == 302
        tenant.refresh_from_db()
        assert tenant.retention_days == 14
        ten_days_old = services.backup_tenant(tenant=tenant, slot="2026-11-16")
        now = timezone.now()
        with schema_context(tenant.schema_name):
            BackupRecord.objects.filter(pk=ten_days_old.pk).update(finished_at=now - dt.timedelta(days=10))
        assert services.backups_prune(tenant=tenant, now=now) == 0  # kept: 10 < 14 days
        admin.post("/settings/security/", {"backup_retention_days": ""})
        tenant.refresh_from_db()
        assert tenant.retention_days == 7
        assert services.backups_prune(tenant=tenant, now=now) == 1


def test_a_scratch_database_left_by_a_killed_drill_is_dropped_by_the_next_drill(tenant, django_db_blocker, monkeypatch):
    from backups import tasks

    sent: list[dict] = []
    monkeypatch.setattr(
        tasks.restore_drill_run,
        "apply_async",
        lambda **options: sent.append({**options, "schema": current_schema_name()}),  # the schema it is sent for
    )
    with django_db_blocker.unblock():
        record = services.backup_tenant(tenant=tenant, slot="2026-11-26")
        # What a worker killed mid-drill leaves: its drill "running" and its scratch database.
        with schema_context(tenant.schema_name):
            killed = RestoreDrill.objects.create(backup=record, status="running", requested_label="scheduled")
            killed.scratch_database = f"drill_t{tenant.pk}_{killed.pk}"
            killed.save()
        other_tenant = f"drill_t{tenant.pk}0_{killed.pk}"  # another tenant's name that only looks alike
        admin = services._connect("postgres", role="drill")
        try:
            for name in (killed.scratch_database, other_tenant):
                admin.execute(f'CREATE DATABASE "{name}"')

            drill = services.restore_drill_request(tenant=tenant, by=None)  # not refused: the lock is free
            with schema_context(sent[0]["schema"]):
                tasks.restore_drill_run.apply(args=sent[0]["args"], throw=True)

            names = {row[0] for row in admin.execute("SELECT datname FROM pg_database WHERE datname LIKE 'drill%%'")}
            assert killed.scratch_database not in names and drill.pk != killed.pk
            assert f"drill_t{tenant.pk}_{drill.pk}" not in names  # its own scratch database is gone too
            assert other_tenant in names
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{other_tenant}"')
            admin.close()
        with schema_context(tenant.schema_name):
            killed.refresh_from_db()
            drill.refresh_from_db()
        assert drill.status == "passed", drill.error
        assert killed.status == "failed" and "worker stopped" in killed.error


def test_a_drill_past_its_time_limit_is_recorded_failed_and_leaves_no_scratch_database(
    tenant, django_db_blocker, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded
    from django.conf import settings

    from backups import tasks

    assert tasks.restore_drill_run.soft_time_limit == settings.RESTORE_DRILL_TIME_LIMIT
    with django_db_blocker.unblock():
        record = services.backup_tenant(tenant=tenant, slot="2026-11-26")
        admin = services._connect("postgres", role="drill")
        scratch = f"drill_t{tenant.pk}\\_%"
        existed: list[bool] = []

        def stopped_mid_restore():  # the worker's time limit strikes once the scratch database exists
            existed.append(bool(admin.execute("SELECT 1 FROM pg_database WHERE datname LIKE %s", [scratch]).fetchall()))
            raise SoftTimeLimitExceeded()

        monkeypatch.setattr(services.drill, "pg_tools", stopped_mid_restore)
        try:
            drill = services.restore_drill(tenant=tenant, record=record)
            assert drill.status == "failed"
            assert drill.error == f"The drill took longer than {settings.RESTORE_DRILL_TIME_LIMIT} s and was stopped."
            assert existed == [True]
            assert not admin.execute("SELECT 1 FROM pg_database WHERE datname LIKE %s", [scratch]).fetchall()
        finally:
            admin.close()
        monkeypatch.undo()
        assert services.restore_drill(tenant=tenant, record=record).status == "passed"  # the lock was let go


OLD = "dGVzdC1tYXN0ZXIta2V5LTMyLWJ5dGVzLWxvbmchISE="  # the test environment's ISMS_MASTER_KEY


NEW = base64.b64encode(bytes(range(7, 39))).decode()


LOG = b"2026-12-03T10:01:02Z sshd[811]: Failed password for root from 203.0.113.9\n" * 20


def _attach(tenant: Tenant, name: str, content: bytes) -> Attachment:
    with tenant_context(tenant):
        admin = User.objects.get()
        incident = incident_services.incident_report(by=admin, title=f"Brute force ({name})", description="sshd")
        return attachments.attachment_add(
            incident=incident, by=admin, upload=io.BytesIO(content), filename=name, size=len(content)
        )


def _download(tenant: Tenant, attachment: Attachment) -> bytes:
    with tenant_context(tenant), attachments.attachment_open(attachment=attachment, by=User.objects.get()) as handle:
        return handle.read()


def _header_key_id(tenant: Tenant, record: BackupRecord) -> str:
    buffer = io.BytesIO()
    BackupStore(tenant).open(record.object_name, buffer)
    sealed = buffer.getvalue()
    return sealed[13 : 13 + sealed[12]].decode()  # after magic, version, chunk size: key id length, key id


def test_backups_and_attachments_from_before_both_rotations_restore_and_download_after(tenant, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            before = services.backup_tenant(tenant=tenant, slot="2026-12-01")
            early = _attach(tenant, "before.log", LOG)
            assert before.status == "succeeded", before.error
            first_key = TenantKey.objects.get(tenant=tenant, retired_at=None).key_id
            assert before.key_id == early.key_id == first_key

            call_command("tenant_key_rotate", "--slug", tenant.slug, stdout=io.StringIO())
            second_key = TenantKey.objects.get(tenant=tenant, retired_at=None).key_id
            between = services.backup_tenant(tenant=tenant, slot="2026-12-02")
            later = _attach(tenant, "after.log", LOG[::-1])
            assert between.key_id == later.key_id == _header_key_id(tenant, between) == second_key != first_key
            assert _header_key_id(tenant, before) == first_key

            with override_settings(ISMS_MASTER_KEY=NEW, ISMS_MASTER_KEY_PREVIOUS=[OLD]):
                call_command("master_key_rotate", stdout=io.StringIO())
            with override_settings(ISMS_MASTER_KEY=NEW, ISMS_MASTER_KEY_PREVIOUS=[]):
                drill = services.restore_drill(tenant=tenant, record=before)
                assert drill.status == "passed", drill.error
                with tempfile.TemporaryDirectory() as tmp:
                    services._archive_open(tenant, between, Path(tmp))
                    assert (Path(tmp) / "archive" / "files" / "evidence" / "firewall.txt").read_bytes() == FILE_BYTES
                assert _download(tenant, early) == LOG
                assert _download(tenant, later) == LOG[::-1]
                newest = services.backup_tenant(tenant=tenant, slot="2026-12-03")
                assert newest.key_id == second_key
        finally:
            # Put every committed tenant's keys back under the session's master key.
            with override_settings(ISMS_MASTER_KEY=OLD, ISMS_MASTER_KEY_PREVIOUS=[NEW]):
                call_command("master_key_rotate", stdout=io.StringIO())
