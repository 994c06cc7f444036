"""Where a tenant's encrypted archives live: its own Azure Blob container, or its folder on local disk."""

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from django.conf import settings

from core import storage
from tenants.models import Tenant

if TYPE_CHECKING:
    from azure.storage.blob import ContainerClient


class BackupStore:
    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.azure = bool(settings.AZURE_STORAGE_CONNECTION_STRING)

    def _folder(self) -> Path:
        folder = storage.local_folder(self.tenant.schema_name, storage.BACKUPS)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _container(self) -> "ContainerClient":
        from azure.storage.blob import BlobServiceClient

        service = BlobServiceClient.from_connection_string(settings.AZURE_STORAGE_CONNECTION_STRING)
        return service.get_container_client(storage.container_name(self.tenant.slug, storage.BACKUPS))

    def put(self, name: str, source: Path) -> None:
        """Store a finished file under ``name``; a reader never sees a half-written object."""
        if self.azure:
            with source.open("rb") as handle:
                self._container().upload_blob(name, handle, overwrite=True)
        else:
            partial = self._folder() / f"{name}.partial"
            shutil.copyfile(source, partial)
            partial.rename(self._folder() / name)

    def open(self, name: str, target: BinaryIO) -> None:
        if self.azure:
            self._container().download_blob(name).readinto(target)
        else:
            with (self._folder() / name).open("rb") as handle:
                shutil.copyfileobj(handle, target)

    def exists(self, name: str) -> bool:
        if self.azure:
            return bool(self._container().get_blob_client(name).exists())
        return (self._folder() / name).exists()

    def delete(self, name: str) -> None:
        """Remove the object and any partial write of it (idempotent)."""
        if self.azure:
            blob = self._container().get_blob_client(name)
            if blob.exists():
                blob.delete_blob()
        else:
            for path in (self._folder() / name, self._folder() / f"{name}.partial"):
                path.unlink(missing_ok=True)

    def names(self) -> list[str]:
        if self.azure:
            return sorted(blob.name for blob in self._container().list_blobs())
        return sorted(path.name for path in self._folder().iterdir())
