"""The archive format: schema dump, tenant files and manifest in one tar, encrypted with the tenant key."""

import hashlib
import json
import tarfile
from pathlib import Path

from django.conf import settings

from core import storage
from tenants import crypto
from tenants.models import Tenant

from ..models import BackupRecord
from ..store import BackupStore
from .pg import BackupError


def _files_add(archive: tarfile.TarFile, tenant: Tenant, workdir: Path) -> int:
    """The tenant's stored files, from its container or folder, under files/ in the archive."""
    count = 0
    if settings.AZURE_STORAGE_CONNECTION_STRING:
        from azure.storage.blob import BlobServiceClient

        service = BlobServiceClient.from_connection_string(settings.AZURE_STORAGE_CONNECTION_STRING)
        container = service.get_container_client(storage.container_name(tenant.slug, storage.FILES))
        for blob in container.list_blobs():
            local = workdir / "blob"
            with local.open("wb") as handle:
                container.download_blob(blob.name).readinto(handle)
            archive.add(local, arcname=f"files/{blob.name}")
            count += 1
    else:
        folder = storage.local_folder(tenant.schema_name, storage.FILES)
        if folder.exists():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                archive.add(path, arcname=f"files/{path.relative_to(folder)}")
                count += 1
    return count


def _archive_open(tenant: Tenant, record: BackupRecord, workdir: Path) -> dict[str, object]:
    """Fetch, check and decrypt an archive; refuse anything tampered, truncated or foreign."""
    store = BackupStore(tenant)
    if not store.exists(record.object_name):
        raise BackupError("The archive is no longer in storage (pruned or deleted).")
    encrypted = workdir / "archive.tar.enc"
    with encrypted.open("wb") as handle:
        store.open(record.object_name, handle)
    digest = hashlib.sha256()
    with encrypted.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != record.sha256:
        raise BackupError("The archive does not match the checksum recorded at backup time: refused.")
    archive_path = workdir / "archive.tar"
    try:
        with encrypted.open("rb") as source, archive_path.open("wb") as sink:
            crypto.decrypt_stream(tenant=tenant, object_name=record.object_name, source=source, sink=sink)
    except crypto.CryptoError as error:
        archive_path.unlink(missing_ok=True)
        raise BackupError(f"The archive cannot be decrypted: {error}") from error
    with tarfile.open(archive_path) as archive:
        archive.extractall(workdir / "archive", filter="data")
    manifest = json.loads((workdir / "archive" / "manifest.json").read_text())
    if manifest.get("schema") != tenant.schema_name:
        raise BackupError("The archive belongs to another tenant: refused.")
    return dict(manifest)
