"""A backup and an incident attachment made before a key rotation (tenant key, then master key) still
restore and download after both; what is made after a tenant key rotation uses the new key."""

import base64
import io
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tenants.utils import tenant_context

from accounts.models import User
from backups import services
from backups.models import BackupRecord
from backups.store import BackupStore
from incidents import attachments
from incidents import services as incident_services
from incidents.models import Attachment
from tenants.models import Tenant, TenantKey
from tests.backups.conftest import FILE_BYTES

pytestmark = pytest.mark.slow

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
