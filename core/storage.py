"""Per-tenant file storage: each tenant's own Azure Blob containers, or its own folder on local disk.

The tenant is taken from the connection's current schema on every call, so a file
saved while serving tenant A can only ever land in A's container.
"""

import contextlib
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import BlobServiceClient, ContainerClient
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django_tenants.files.storage import TenantFileSystemStorage as _TenantFileSystemStorage
from django_tenants.utils import get_public_schema_name
from storages.backends.azure_storage import AzureStorage

from .schemas import current_schema_name

if TYPE_CHECKING:
    from django_tenants.models import TenantMixin as Tenant  # core knows the tenant model only by its mixin

FILES = "files"
BACKUPS = "backups"
CONTAINER_SUFFIXES = (FILES, BACKUPS)


def current_tenant_slug() -> str:
    schema = current_schema_name()
    if schema == get_public_schema_name():
        raise ImproperlyConfigured("Tenant storage used outside a tenant schema.")
    # Slugs use hyphens where schema names use underscores (tenants.services.schema_name_for).
    return str(schema).replace("_", "-")


def container_name(slug: str, purpose: str = FILES) -> str:
    return f"{slug}-{purpose}"


class TenantFileSystemStorage(_TenantFileSystemStorage):
    """Local disk under ``MEDIA_ROOT/<schema>/`` (the embedded default)."""

    def path(self, name: str) -> str:
        current_tenant_slug()  # refuses the public schema
        return str(super().path(name))


class TenantAzureStorage(AzureStorage):
    """Azure Blob (Azurite in tests): the current tenant's ``<slug>-files`` container."""

    def get_default_settings(self) -> dict[str, Any]:
        defaults: dict[str, Any] = super().get_default_settings()
        defaults["connection_string"] = settings.AZURE_STORAGE_CONNECTION_STRING
        return defaults

    @property
    def azure_container(self) -> str:
        return container_name(current_tenant_slug(), FILES)

    @azure_container.setter
    def azure_container(self, value: object) -> None:
        """The container follows the tenant; a configured name is ignored."""

    @property
    def client(self) -> ContainerClient:
        return self.service_client.get_container_client(self.azure_container)


def _blob_service() -> BlobServiceClient:
    return BlobServiceClient.from_connection_string(settings.AZURE_STORAGE_CONNECTION_STRING)


def tenant_containers_create(tenant: "Tenant") -> None:
    """Create the tenant's containers (django-storages never creates them)."""
    if settings.AZURE_STORAGE_CONNECTION_STRING:
        service = _blob_service()
        for purpose in CONTAINER_SUFFIXES:
            with contextlib.suppress(ResourceExistsError):
                service.create_container(container_name(tenant.slug, purpose))
    else:
        for purpose in CONTAINER_SUFFIXES:
            local_folder(tenant.schema_name, purpose).mkdir(parents=True, exist_ok=True)


def tenant_containers_delete(tenant: "Tenant") -> None:
    if settings.AZURE_STORAGE_CONNECTION_STRING:
        service = _blob_service()
        for purpose in CONTAINER_SUFFIXES:
            with contextlib.suppress(ResourceNotFoundError):
                service.delete_container(container_name(tenant.slug, purpose))
    else:
        for purpose in CONTAINER_SUFFIXES:
            shutil.rmtree(local_folder(tenant.schema_name, purpose), ignore_errors=True)


def local_folder(schema_name: str, purpose: str) -> Path:
    """A tenant's folder for one purpose on local disk: ``.data/media/<schema>`` or ``.data/<purpose>/<schema>``."""
    if purpose == FILES:
        return Path(settings.MEDIA_ROOT) / schema_name
    return Path(settings.DATA_DIR) / purpose / schema_name
