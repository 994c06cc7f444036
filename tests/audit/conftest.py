"""Anchors live in object storage, which a test's rolled-back transaction does not clear."""

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError

from audit.anchors import PREFIX, AnchorStore

ANCHORED_SCHEMAS = ("acme", "globex", "public")


def _azure_anchors_delete() -> None:
    for schema in ANCHORED_SCHEMAS:
        container = AnchorStore(schema)._container()
        with contextlib.suppress(ResourceNotFoundError):
            for blob in list(container.list_blobs(name_starts_with=PREFIX)):
                container.delete_blob(blob.name)


@pytest.fixture
def anchors_cleared(settings, tmp_path: Path) -> Path:
    """Anchors on local disk, in a folder of this test's own (also where CI makes Azure Blob the
    default storage: anchors left there by one test would be checked by the next)."""
    settings.AZURE_STORAGE_CONNECTION_STRING = ""
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def anchors_on_azure(settings, azurite: str, anchors_cleared: Path) -> Iterator[str]:
    """Anchors in Azure Blob (Azurite), in ``<slug>-backups``; emptied of anchors around the test."""
    settings.AZURE_STORAGE_CONNECTION_STRING = azurite
    from azure.storage.blob import BlobServiceClient

    service = BlobServiceClient.from_connection_string(azurite)
    for slug in ("acme", "globex"):
        with contextlib.suppress(ResourceExistsError):
            service.create_container(f"{slug}-backups")
    _azure_anchors_delete()
    yield azurite
    _azure_anchors_delete()
