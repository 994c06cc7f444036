"""Incident attachments: checked (size, type by name and by content), encrypted under the tenant key, kept in
the tenant's own storage, and decrypted only for a reader the policy allows, every download audited.

Content sniffing is a short table of file signatures rather than a new dependency (python-magic needs
libmagic, which the embedded default cannot assume): we accept few types, and each is easy to recognise.
"""

import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any, cast

from azure.core.exceptions import ResourceNotFoundError
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage, storages
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import audit
from accounts.models import User
from core import storage
from core.http import TenantHttpRequest
from core.schemas import current_schema_name
from core.streams import Writable
from tenants import crypto
from tenants.models import Tenant

from .models import Attachment, Incident
from .policies import incident_policy

SNIFF_BYTES = 8192
# Decrypted downloads stay in memory up to this size, then spill to a temporary file.
SPOOL_BYTES = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    content_type: str
    signatures: tuple[bytes, ...] = ()  # one must start the file; none: text (UTF-8, no NUL bytes)
    offset: int = 0


_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
ALLOWED_TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", (b"%PDF-",)),
    "png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": FileType("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": FileType("image/webp", (b"WEBP",), offset=8),
    "txt": FileType("text/plain"),
    "log": FileType("text/plain"),
    "csv": FileType("text/csv"),
    "json": FileType("application/json"),
    "eml": FileType("message/rfc822"),
    "zip": FileType("application/zip", _ZIP),
    "docx": FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "pcap": FileType(
        "application/vnd.tcpdump.pcap",
        (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d"),
    ),
    "pcapng": FileType("application/vnd.tcpdump.pcap", (b"\x0a\x0d\x0d\x0a",)),
}
ALLOWED_LABEL = gettext_lazy(
    "PDF, PNG, JPEG, GIF, WebP, text and log files, CSV, JSON, e-mail (.eml), ZIP, Word, Excel, pcap"
)


class AttachmentRefused(ValidationError):
    """The file is too large or not of an allowed type; nothing was stored."""


class AttachmentDamaged(Exception):
    """The stored object failed decryption (changed, truncated or foreign): nothing was delivered."""


def max_bytes() -> int:
    return int(settings.INCIDENT_ATTACHMENT_MAX_BYTES)


def size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} kB"
    return f"{size} B"


def too_large_message(size: int | None = None) -> str:
    limit = size_label(max_bytes())
    if size is None:
        return _("The file is larger than the limit of %(limit)s.") % {"limit": limit}
    return _("The file is %(size)s; the limit is %(limit)s.") % {"size": size_label(size), "limit": limit}


def file_type_check(filename: str, head: bytes) -> FileType:
    """The allowed type ``filename`` claims, if its first bytes agree; AttachmentRefused otherwise."""
    extension = PurePosixPath(filename).suffix.lower().lstrip(".")
    file_type = ALLOWED_TYPES.get(extension)
    if file_type is None:
        raise AttachmentRefused(
            _("Files of type “.%(ext)s” are not accepted. Allowed: %(allowed)s.")
            % {"ext": extension or "?", "allowed": ALLOWED_LABEL}
        )
    if file_type.signatures:
        start = head[file_type.offset :]
        matches = any(start.startswith(signature) for signature in file_type.signatures)
        if extension == "webp":
            matches = head.startswith(b"RIFF") and matches
    else:
        matches = b"\x00" not in head and _utf8_prefix(head)
    if not matches:
        raise AttachmentRefused(
            _("“%(name)s” does not look like a .%(ext)s file (its content says otherwise), so it was refused.")
            % {"name": filename, "ext": extension}
        )
    return file_type


def _utf8_prefix(head: bytes) -> bool:
    """True if ``head`` is UTF-8, allowing a character cut off at the end of the sample."""
    for cut in range(4):
        try:
            head[: len(head) - cut].decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    return False


def _current_tenant() -> Tenant:
    return Tenant.objects.get(schema_name=current_schema_name())


def _safe_filename(filename: str) -> str:
    name = PurePosixPath(filename.replace("\\", "/")).name.strip() or "attachment"
    return "".join(ch for ch in name if ch.isprintable() and ch not in '"')[:255]


def attachment_add(*, incident: Incident, by: User, upload: IO[bytes], filename: str, size: int) -> Attachment:
    """Check, encrypt and store one file, then record it; a refused file leaves nothing behind."""
    if not incident_policy.can_contribute(by, incident):
        raise PermissionDenied
    incident.ensure_editable()
    filename = _safe_filename(filename)
    if size > max_bytes():
        raise AttachmentRefused(too_large_message(size))
    if size == 0:
        raise AttachmentRefused(_("The file is empty."))
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    file_type = file_type_check(filename, head)
    tenant = _current_tenant()
    object_name = f"incidents/{incident.pk}/{secrets.token_hex(16)}"
    counted = _Counting(upload)
    result, stored = _encrypt_and_store(tenant, object_name, counted)
    try:
        if stored != object_name:  # the name is the associated data: another name would never decrypt
            raise RuntimeError(f"Storage renamed {object_name} to {stored}.")
        with transaction.atomic():
            attachment = Attachment.objects.create(
                incident=incident,
                filename=filename,
                content_type=file_type.content_type,
                size=counted.count,
                object_name=object_name,
                stored_size=result.size,
                stored_sha256=result.sha256,
                key_id=result.key_id,
                uploaded_by=by,
            )
            audit.record(
                actor=by,
                action="incident.attachment_added",
                obj=incident,
                changes={"attachment": [None, filename], "size": [None, counted.count]},
            )
    except BaseException:
        default_storage.delete(stored)
        raise
    return attachment


def _encrypt_and_store(tenant: Tenant, object_name: str, source: "_Counting") -> tuple[Any, str]:
    """Encrypt into the tenant's storage as the file is read; a file larger than it said is refused unstored."""

    def encrypt(sink: Writable) -> Any:
        result = crypto.encrypt_stream(
            tenant=tenant,
            object_name=object_name,
            source=source,
            sink=sink,
        )
        if source.count > max_bytes():  # the declared size was wrong
            raise AttachmentRefused(too_large_message(source.count))
        return result

    return storage.save_whole(object_name, encrypt)


def attachment_open(*, attachment: Attachment, by: User) -> IO[bytes]:
    """The decrypted file, fully authenticated before anything is returned (memory bounded: it spills to disk).

    Raises AttachmentDamaged when the stored object does not decrypt; that attempt is audited too.
    """
    if not incident_policy.can_view(by, attachment.incident):
        raise PermissionDenied
    tenant = _current_tenant()
    plaintext = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, prefix="isms-attachment-")  # noqa: SIM115
    try:
        with _open_stored(attachment.object_name) as sealed:
            crypto.decrypt_stream(
                tenant=tenant,
                object_name=attachment.object_name,
                source=sealed,
                sink=plaintext,
            )
    except (crypto.DecryptionError, OSError, ResourceNotFoundError) as error:
        plaintext.close()
        reason = _damage_reason(error)
        audit.record(
            actor=by,
            action="incident.attachment_damaged",
            obj=attachment.incident,
            changes={"attachment": [None, attachment.filename], "reason": [None, reason]},
        )
        raise AttachmentDamaged(reason) from error
    audit.record(
        actor=by,
        action="incident.attachment_downloaded",
        obj=attachment.incident,
        changes={"attachment": [None, attachment.filename]},
    )
    plaintext.seek(0)
    return plaintext


def _open_stored(name: str) -> Any:
    """The stored object as a readable file; from Azure it streams as it downloads (no temporary copy)."""
    backend = storages["default"]
    if isinstance(backend, storage.TenantAzureStorage):
        return _ChunkReader(backend.client.download_blob(name, max_concurrency=storage.UPLOAD_THREADS).chunks())
    return default_storage.open(name, "rb")


class _ChunkReader:
    """read(n) over an iterator of byte chunks (an Azure download), holding at most one chunk."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.buffer += chunk
        if size < 0:
            size = len(self.buffer)
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def __enter__(self) -> "_ChunkReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.buffer = b""


def _damage_reason(error: Exception) -> str:
    if not isinstance(error, crypto.DecryptionError):
        return _("the stored file is missing")
    message = str(error)
    if message.startswith(crypto.CHANGED):
        return _("the stored file was changed or is incomplete")
    if message == crypto.FOREIGN:
        return _("the stored file belongs to another tenant or record")
    if message == crypto.NOT_ENCRYPTED:
        return _("the stored file is not an encrypted attachment")
    return _("the key it was encrypted with is not available")


class _Counting:
    """A reader that counts the bytes it hands on."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.count += len(data)
        return data


class SizeLimitUploadHandler(FileUploadHandler):
    """First upload handler of the attachment view: stops taking a file once it passes the limit.

    The rest of the body is read and dropped (no temporary file fills up), and the view says why.
    """

    def __init__(self, request: Any = None, limit: int | None = None) -> None:
        super().__init__(request)
        self.limit = limit if limit is not None else max_bytes()
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            if self.request is not None:
                cast(TenantHttpRequest, self.request).upload_too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
