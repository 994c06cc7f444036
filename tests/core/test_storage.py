"""Files go to the current tenant's own container (Azure Blob through Azurite) or folder (local disk)."""

import pytest
from azure.storage.blob import BlobServiceClient
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import schema_context

from core import storage
from tenants import services


@pytest.fixture
def on_azure(settings, azurite):
    settings.AZURE_STORAGE_CONNECTION_STRING = azurite
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "core.storage.TenantAzureStorage"}}
    return BlobServiceClient.from_connection_string(azurite)


def test_provisioning_creates_the_tenants_own_containers(db, worlds, on_azure):
    services.tenant_provision(slug="initech", name="Initech", admin_email="a@initech.example")
    names = {container.name for container in on_azure.list_containers()}
    assert {"initech-files", "initech-backups"} <= names


def test_file_saved_in_a_tenant_lands_in_its_container_only(db, worlds, on_azure):
    for slug in ("initech", "umbrella"):
        services.tenant_provision(slug=slug, name=slug, admin_email=f"a@{slug}.example")

    with schema_context("initech"):
        name = default_storage.save("evidence/report.txt", ContentFile(b"initech evidence"))
        assert default_storage.open(name).read() == b"initech evidence"

    initech = on_azure.get_container_client("initech-files")
    umbrella = on_azure.get_container_client("umbrella-files")
    assert [blob.name for blob in initech.list_blobs()] == [name]
    assert list(umbrella.list_blobs()) == []
    with schema_context("umbrella"):
        assert not default_storage.exists(name)


def test_tenant_delete_removes_its_containers(db, worlds, on_azure):
    services.tenant_provision(slug="doomed", name="Doomed", admin_email="a@doomed.example")
    services.tenant_delete(slug="doomed")
    names = {container.name for container in on_azure.list_containers()}
    assert "doomed-files" not in names and "doomed-backups" not in names


@pytest.fixture
def on_local_disk(settings, tmp_path):
    settings.AZURE_STORAGE_CONNECTION_STRING = ""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "core.storage.TenantFileSystemStorage"}}
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_local_disk_keeps_each_tenant_in_its_own_folder(db, worlds, on_local_disk):
    tmp_path = on_local_disk
    with schema_context("acme"):
        name = default_storage.save("evidence/a.txt", ContentFile(b"acme"))
    assert (tmp_path / "acme" / name).read_bytes() == b"acme"
    with schema_context("globex"):
        assert not default_storage.exists(name)


@pytest.mark.parametrize("backend", ["on_azure", "on_local_disk"])
def test_storage_refuses_the_public_schema(db, backend, request):
    request.getfixturevalue(backend)
    with pytest.raises(ImproperlyConfigured, match="outside a tenant"):
        default_storage.save("x.txt", ContentFile(b"x"))
    with pytest.raises(ImproperlyConfigured):
        storage.current_tenant_slug()


def test_local_provisioning_makes_the_tenants_folders(db, worlds, on_local_disk, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    services.tenant_provision(slug="initech", name="Initech", admin_email="a@initech.example")
    assert (tmp_path / "initech").is_dir()
    assert (tmp_path / "backups" / "initech").is_dir()
