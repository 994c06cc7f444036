"""Anchors: each chain's head (schema, event id, hash, time), signed with the audit key, kept in object storage.

Whoever controls the database can delete the newest events or rewrite the chain; they cannot
also reach back into the anchors, which live outside the database: in the tenant's backup
container (``<slug>-backups`` on Azure, ``.data/backups/<schema>/`` locally) under
``audit-anchors/``. The platform's own chain (the public schema) uses ``public-backups`` and
``.data/backups/public/``: "public" is a reserved slug, so no tenant can own that container.

One small JSON object per anchor, never rewritten. Names start with an inverted time stamp, so
a plain listing returns the newest first and reading the recent ``RECENT`` anchors costs one
list call and ``RECENT`` small reads, however long the tenant has been anchoring. Checking the
recent ones suffices: an anchored hash covers every event before it, so the newest anchor alone
pins the whole prefix; older ones only add depth against anchors deleted from storage.
"""

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import BlobServiceClient, ContainerClient
from django.conf import settings
from django.utils import timezone

from core import storage

from .keys import audit_key

PREFIX = "audit-anchors/"
# How many of the newest anchors a verification reads (about a month of daily anchors).
RECENT = 31
FORMAT = 1
_SIGNATURE_LABEL = b"isms audit anchor v1\x00"
_INVERTED_FROM = 10**17  # microseconds since 1970 stay below this until the year 5138


@dataclass(frozen=True)
class Anchor:
    name: str
    schema: str
    event_id: int
    hash: str
    anchored_at: dt.datetime

    @property
    def when(self) -> str:
        return f"{self.anchored_at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"


@dataclass(frozen=True)
class RefusedAnchor:
    name: str
    reason: str


@dataclass(frozen=True)
class AnchorReading:
    anchors: list[Anchor]
    refused: list[RefusedAnchor]


def _payload(*, schema: str, event_id: int, event_hash: str, anchored_at: str) -> dict[str, object]:
    return {"format": FORMAT, "schema": schema, "event_id": event_id, "hash": event_hash, "anchored_at": anchored_at}


def _signature(payload: dict[str, object], key: bytes) -> str:
    message = _SIGNATURE_LABEL + json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class AnchorStore:
    """The anchors of one schema's chain, in its backup container or folder."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.azure = bool(settings.AZURE_STORAGE_CONNECTION_STRING)

    def _container(self) -> ContainerClient:
        service = BlobServiceClient.from_connection_string(settings.AZURE_STORAGE_CONNECTION_STRING)
        # Schema names use underscores where slugs (and so container names) use hyphens.
        return service.get_container_client(storage.container_name(self.schema.replace("_", "-"), storage.BACKUPS))

    def _folder(self) -> Path:
        return storage.local_folder(self.schema, storage.BACKUPS) / PREFIX.rstrip("/")

    def put(self, name: str, data: bytes) -> None:
        if self.azure:
            container = self._container()
            try:
                container.upload_blob(PREFIX + name, data, overwrite=False)
            except ResourceNotFoundError:  # the platform's container is made on first use
                with contextlib.suppress(ResourceExistsError):
                    container.create_container()
                container.upload_blob(PREFIX + name, data, overwrite=False)
        else:
            folder = self._folder()
            folder.mkdir(parents=True, exist_ok=True)
            partial = folder / f"{name}.partial"
            partial.write_bytes(data)
            partial.rename(folder / name)

    def names(self, limit: int | None) -> list[str]:
        """Anchor names, newest first; at most ``limit`` of them (all with None)."""
        if self.azure:
            names: list[str] = []
            try:
                for blob in self._container().list_blobs(name_starts_with=PREFIX, results_per_page=limit):
                    names.append(blob.name.removeprefix(PREFIX))
                    if limit is not None and len(names) >= limit:
                        break
            except ResourceNotFoundError:
                return []
            return names
        folder = self._folder()
        if not folder.exists():
            return []
        found = sorted(path.name for path in folder.iterdir() if path.suffix == ".json")
        return found[:limit] if limit is not None else found

    def read(self, name: str) -> bytes:
        if self.azure:
            return bytes(self._container().download_blob(PREFIX + name).readall())
        return (self._folder() / name).read_bytes()


def anchor_write(*, schema: str, event_id: int, event_hash: str, now: dt.datetime | None = None) -> Anchor:
    """Keep one chain head in object storage, signed with the audit key; never overwrites an anchor."""
    anchored_at = (now or timezone.now()).astimezone(dt.UTC)
    payload = _payload(schema=schema, event_id=event_id, event_hash=event_hash, anchored_at=anchored_at.isoformat())
    content = {**payload, "signature": _signature(payload, audit_key())}
    micros = int(anchored_at.timestamp() * 1_000_000)
    name = f"{_INVERTED_FROM - micros:017d}-{anchored_at:%Y%m%dT%H%M%SZ}-event-{event_id}-{uuid.uuid4().hex[:6]}.json"
    AnchorStore(schema).put(name, json.dumps(content, sort_keys=True).encode())
    return Anchor(name=name, schema=schema, event_id=event_id, hash=event_hash, anchored_at=anchored_at)


def anchors_read(*, schema: str, limit: int | None = RECENT) -> AnchorReading:
    """The newest anchors of ``schema`` whose signature verifies; the others refused, each with the reason."""
    store = AnchorStore(schema)
    key = audit_key()
    anchors: list[Anchor] = []
    refused: list[RefusedAnchor] = []
    for name in store.names(limit):
        try:
            content = json.loads(store.read(name))
            payload = _payload(
                schema=str(content["schema"]),
                event_id=int(content["event_id"]),
                event_hash=str(content["hash"]),
                anchored_at=str(content["anchored_at"]),
            )
            signature = str(content["signature"])
            anchored_at = dt.datetime.fromisoformat(str(content["anchored_at"]))
        except (ValueError, KeyError, TypeError):
            refused.append(RefusedAnchor(name, "it is not a readable anchor"))
            continue
        if content.get("format") != FORMAT or not hmac.compare_digest(signature, _signature(payload, key)):
            refused.append(RefusedAnchor(name, "its signature does not verify (signed with another key, or edited)"))
        elif payload["schema"] != schema:
            refused.append(RefusedAnchor(name, f"it belongs to another chain ({payload['schema']})"))
        else:
            anchors.append(
                Anchor(
                    name=name,
                    schema=schema,
                    event_id=int(content["event_id"]),
                    hash=str(content["hash"]),
                    anchored_at=anchored_at,
                )
            )
    return AnchorReading(anchors, refused)
