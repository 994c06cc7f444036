"""Anchors live in object storage, which a test's rolled-back transaction does not clear: clear them around it."""

import contextlib
import shutil
from collections.abc import Iterator

import pytest
from azure.core.exceptions import ResourceNotFoundError

from audit.anchors import PREFIX, AnchorStore


def _anchors_delete(schema: str) -> None:
    store = AnchorStore(schema)
    if store.azure:
        container = store._container()
        with contextlib.suppress(ResourceNotFoundError):
            for blob in list(container.list_blobs(name_starts_with=PREFIX)):
                container.delete_blob(blob.name)
    else:
        shutil.rmtree(store._folder(), ignore_errors=True)


@pytest.fixture
def anchors_cleared() -> Iterator[None]:
    schemas = ("acme", "globex", "public")
    for schema in schemas:
        _anchors_delete(schema)
    yield
    for schema in schemas:
        _anchors_delete(schema)
