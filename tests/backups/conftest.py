"""Committed tenants on local storage for backup tests: pg_dump reads only committed data."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from django_tenants.utils import schema_context

from risks import services as risk_services
from tenants import services as tenant_services
from tenants.models import Tenant

SECRET_TITLE = "Plaintext-marker-risk-7f3a"
FILE_BYTES = b"evidence: firewall export 2026-11-26 plaintext-marker-file"


@pytest.fixture
def local_storage(tmp_path: Path) -> Iterator[Path]:
    with override_settings(
        AZURE_STORAGE_CONNECTION_STRING="",
        STORAGES={
            "default": {"BACKEND": "core.storage.TenantFileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        MEDIA_ROOT=tmp_path / "media",
        DATA_DIR=tmp_path,
    ):
        yield tmp_path


@pytest.fixture
def tenant(worlds, local_storage, django_db_blocker) -> Iterator[Tenant]:
    """A committed tenant with a risk and a stored file (pg_dump sees only committed data)."""
    slug = f"bk-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        provisioned = tenant_services.tenant_provision(slug=slug, name="Backed up AB", admin_email=f"a@{slug}.example")
        with schema_context(provisioned.tenant.schema_name):
            from accounts.models import User

            admin = User.objects.get()
            admin.groups.add(
                *__import__("django.contrib.auth.models", fromlist=["Group"]).Group.objects.filter(name="CISO")
            )
            admin = User.objects.get(pk=admin.pk)
            risk_services.risk_create(by=admin, owner=admin, title=SECRET_TITLE, likelihood=2, impact=3)
            default_storage.save("evidence/firewall.txt", ContentFile(FILE_BYTES))
    try:
        yield provisioned.tenant
    finally:
        with django_db_blocker.unblock():
            tenant_services.tenant_delete(slug=slug)
