"""Per-tenant file storage: each tenant's own Azure Blob containers, or its own folder on local disk.

The tenant is taken from the connection's current schema on every call, so a file
saved while serving tenant A can only ever land in A's container.
"""

import base64
import contextlib
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import BlobBlock, BlobServiceClient, ContainerClient
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.core.files.storage import storages
from django_tenants.files.storage import TenantFileSystemStorage as _TenantFileSystemStorage
from django_tenants.utils import get_public_schema_name
from storages.backends.azure_storage import AzureStorage

from .schemas import current_schema_name
from .streams import Writable

if TYPE_CHECKING:
    from django_tenants.models import TenantMixin as Tenant  # core knows the tenant model only by its mixin

FILES = "files"
BACKUPS = "backups"
CONTAINER_SUFFIXES = (FILES, BACKUPS)
# A whole-file upload to Azure goes up in blocks of this size, a few at a time (bounded memory).
BLOCK_BYTES = 4 * 1024 * 1024
UPLOAD_THREADS = 2

Produced = TypeVar("Produced")


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


def save_whole(name: str, produce: Callable[[Writable], Produced]) -> tuple[Produced, str]:
    """Store what ``produce(sink)`` writes under ``name`` in the current tenant's files, visible only once
    ``produce`` has returned: if it raises, nothing is stored. Returns its result and the name the storage kept.

    The caller brings the content (incidents pass the tenant-key encryption, which core cannot import), so the
    file is written as it is produced rather than held in memory.
    """
    backend = storages["default"]
    if isinstance(backend, TenantAzureStorage):
        return _save_whole_to_azure(backend, name, produce), name
    # Local disk: write into a temporary file, then save it under its name (a reader never sees half a file).
    with tempfile.TemporaryFile(prefix="isms-upload-") as spooled:
        result = produce(spooled)
        spooled.seek(0)
        return result, backend.save(name, File(spooled))


def _save_whole_to_azure(backend: TenantAzureStorage, name: str, produce: Callable[[Writable], Produced]) -> Produced:
    """Stage the content in blocks while it is produced (the upload overlaps the producing, memory stays at a few
    blocks), and commit the block list only once all of it is there: until then nothing is visible, and
    uncommitted blocks are discarded by the service."""
    blob = backend.client.get_blob_client(name)
    with ThreadPoolExecutor(max_workers=UPLOAD_THREADS, thread_name_prefix="isms-upload") as pool:
        sink = _BlockSink(blob, pool)
        result = produce(sink)
        sink.commit()
    return result


class _BlockSink:
    """A write-only file that stages what it is given as Azure blocks, a few uploads in flight at a time."""

    def __init__(self, blob: Any, pool: ThreadPoolExecutor) -> None:
        self.blob = blob
        self.pool = pool
        self.parts: list[bytes] = []
        self.buffered = 0
        self.block_ids: list[str] = []
        self.pending: set[Future[Any]] = set()

    def write(self, data: bytes) -> int:
        self.parts.append(data)
        self.buffered += len(data)
        if self.buffered >= BLOCK_BYTES:
            self._stage(b"".join(self.parts))
            self.parts, self.buffered = [], 0
        return len(data)

    def _stage(self, block: bytes) -> None:
        if len(self.pending) >= UPLOAD_THREADS:  # bound the memory held by blocks in flight
            done, self.pending = wait(self.pending, return_when=FIRST_COMPLETED)
            for future in done:
                future.result()
        block_id = base64.b64encode(f"{len(self.block_ids):08d}".encode()).decode()
        self.block_ids.append(block_id)
        self.pending.add(self.pool.submit(self.blob.stage_block, block_id, block))

    def commit(self) -> None:
        if self.parts or not self.block_ids:
            self._stage(b"".join(self.parts))
            self.parts, self.buffered = [], 0
        for future in self.pending:
            future.result()
        self.pending = set()
        self.blob.commit_block_list([BlobBlock(block_id=block_id) for block_id in self.block_ids])
