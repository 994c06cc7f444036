"""Client-side encryption of files and backups: AES-256-GCM in chunks, one random data key per object.

Format (version 1), all integers big-endian::

    header  magic b"ISMSENC" | version u8 | chunk size u32 | key id length u8 | key id (ASCII)
            | wrapped data key (nonce 12 + key 32 + tag 16) | nonce prefix 8
    chunks  AES-GCM(data key, nonce = prefix | index u32,
                    associated data = SHA-256(header) | index u64 | final flag u8)

The data key is wrapped by the tenant key (``tenants.keys``) with the tenant's schema and
the object name as associated data, so an object copied to another tenant or name does
not open. Every chunk but the last holds exactly ``chunk size`` bytes of plaintext; the
last may hold fewer (or none) and is the only one sealed with the final flag. So a
changed byte, reordered or repeated chunks, chunks added after the end or dropped from
it all fail authentication.

Memory stays bounded by a few chunks whatever the object size. Decryption writes each
chunk only after it is authenticated, but whether the stream was cut short is only known
at its end: on DecryptionError the sink already holds a prefix of the plaintext and must
be discarded (decrypt into a temporary file and move it into place only on success).
"""

import hashlib
import io
import secrets
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from core.streams import Readable, Writable

from . import keys
from .models import Tenant

MAGIC = b"ISMSENC"
VERSION = 1
CHUNK_SIZE = 1024 * 1024
# A header naming a larger chunk is refused before anything that large is read.
MAX_CHUNK_SIZE = 16 * 1024 * 1024
TAG_BYTES = 16
NONCE_PREFIX_BYTES = 8
# The chunk index fills the 4 bytes of the 12-byte nonce after the prefix.
MAX_CHUNKS = 2**32
WRAPPED_KEY_BYTES = keys.NONCE_BYTES + keys.KEY_BYTES + TAG_BYTES
_FIXED_HEADER = struct.Struct(">7sBIB")
_DATA_KEY_LABEL = b"ISMSENC data key v1"

CHANGED = "the archive was changed or is incomplete"
FOREIGN = "this object belongs to another tenant or name"
MASTER_KEY_MISMATCH = "the master key does not match"
NOT_ENCRYPTED = "this is not an encrypted object"


class CryptoError(Exception):
    """Encryption or decryption of an object failed."""


class DecryptionError(CryptoError):
    """The object cannot be decrypted; the message says why in words a person can act on."""


@dataclass(frozen=True)
class EncryptResult:
    size: int
    """Bytes of ciphertext written, header included."""
    sha256: str
    """Hex SHA-256 of the ciphertext written."""
    key_id: str
    """The tenant key that wraps the object's data key."""


def encrypt_stream(
    *, tenant: Tenant, object_name: str, source: Readable, sink: Writable, chunk_size: int = CHUNK_SIZE
) -> EncryptResult:
    """Encrypt everything ``source`` yields into ``sink`` for ``tenant`` under ``object_name``."""
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise CryptoError(f"The chunk size must be 1 to {MAX_CHUNK_SIZE} bytes, not {chunk_size}.")
    key_id, tenant_key = _tenant_key(tenant, None, CryptoError)
    data_key = AESGCM.generate_key(bit_length=256)
    wrap_nonce = secrets.token_bytes(keys.NONCE_BYTES)
    wrapped = wrap_nonce + AESGCM(tenant_key).encrypt(wrap_nonce, data_key, _data_key_aad(tenant, object_name))
    prefix = secrets.token_bytes(NONCE_PREFIX_BYTES)
    encoded_key_id = key_id.encode("ascii")
    header = _FIXED_HEADER.pack(MAGIC, VERSION, chunk_size, len(encoded_key_id)) + encoded_key_id + wrapped + prefix
    header_digest = hashlib.sha256(header).digest()
    aead = AESGCM(data_key)
    digest = hashlib.sha256(header)
    sink.write(header)
    size = len(header)

    current = _read_full(source, chunk_size)
    index = 0
    while True:
        following = _read_full(source, chunk_size) if len(current) == chunk_size else b""
        final = not following
        if index >= MAX_CHUNKS:
            raise CryptoError(f"The object is too large for {MAX_CHUNKS} chunks of {chunk_size} bytes.")
        sealed = aead.encrypt(_nonce(prefix, index), current, _chunk_aad(header_digest, index, final))
        sink.write(sealed)
        digest.update(sealed)
        size += len(sealed)
        if final:
            break
        current = following
        index += 1
    return EncryptResult(size=size, sha256=digest.hexdigest(), key_id=key_id)


def decrypt_stream(*, tenant: Tenant, object_name: str, source: Readable, sink: Writable) -> None:
    """Decrypt ``source`` into ``sink``, or raise DecryptionError.

    On error ``sink`` may hold the authenticated plaintext of the chunks before the
    failure (never of an unauthenticated one): callers must discard it.
    """
    fixed = _read_full(source, _FIXED_HEADER.size)
    if len(fixed) < _FIXED_HEADER.size:
        raise DecryptionError(CHANGED if fixed.startswith(MAGIC) else NOT_ENCRYPTED)
    magic, version, chunk_size, key_id_length = _FIXED_HEADER.unpack(fixed)
    if magic != MAGIC:
        raise DecryptionError(NOT_ENCRYPTED)
    if version != VERSION:
        raise DecryptionError(f"{CHANGED} (unknown format version {version})")
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise DecryptionError(CHANGED)
    rest = _read_full(source, key_id_length + WRAPPED_KEY_BYTES + NONCE_PREFIX_BYTES)
    if len(rest) < key_id_length + WRAPPED_KEY_BYTES + NONCE_PREFIX_BYTES:
        raise DecryptionError(CHANGED)
    header = fixed + rest
    try:
        key_id = rest[:key_id_length].decode("ascii")
    except UnicodeDecodeError:
        raise DecryptionError(CHANGED) from None
    wrapped = rest[key_id_length : key_id_length + WRAPPED_KEY_BYTES]
    prefix = rest[key_id_length + WRAPPED_KEY_BYTES :]

    _key_id, tenant_key = _tenant_key(tenant, key_id, DecryptionError)
    try:
        data_key = AESGCM(tenant_key).decrypt(
            wrapped[: keys.NONCE_BYTES], wrapped[keys.NONCE_BYTES :], _data_key_aad(tenant, object_name)
        )
    except InvalidTag:
        # Another object name, or a changed wrapped key: the two cannot be told apart.
        raise DecryptionError(FOREIGN) from None

    header_digest = hashlib.sha256(header).digest()
    aead = AESGCM(data_key)
    sealed_size = chunk_size + TAG_BYTES
    current = _read_full(source, sealed_size)
    index = 0
    while True:
        following = _read_full(source, sealed_size) if len(current) == sealed_size else b""
        final = not following
        if len(current) < TAG_BYTES or index >= MAX_CHUNKS:
            raise DecryptionError(CHANGED)
        try:
            plaintext = aead.decrypt(_nonce(prefix, index), current, _chunk_aad(header_digest, index, final))
        except InvalidTag:
            raise DecryptionError(CHANGED) from None
        sink.write(plaintext)
        if final:
            return
        current = following
        index += 1


def encrypt_bytes(*, tenant: Tenant, object_name: str, data: bytes, chunk_size: int = CHUNK_SIZE) -> bytes:
    sink = io.BytesIO()
    encrypt_stream(tenant=tenant, object_name=object_name, source=io.BytesIO(data), sink=sink, chunk_size=chunk_size)
    return sink.getvalue()


def decrypt_bytes(*, tenant: Tenant, object_name: str, data: bytes) -> bytes:
    sink = io.BytesIO()
    decrypt_stream(tenant=tenant, object_name=object_name, source=io.BytesIO(data), sink=sink)
    return sink.getvalue()


def _tenant_key(tenant: Tenant, key_id: str | None, error: type[CryptoError]) -> tuple[str, bytes]:
    try:
        return keys.tenant_key_unwrap(tenant=tenant, key_id=key_id)
    except keys.TenantKeyMissing:
        raise error(FOREIGN) from None
    except keys.MasterKeyMismatch:
        raise error(MASTER_KEY_MISMATCH) from None


def _data_key_aad(tenant: Tenant, object_name: str) -> bytes:
    return keys.associated_data(_DATA_KEY_LABEL, tenant.schema_name.encode(), object_name.encode())


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def _chunk_aad(header_digest: bytes, index: int, final: bool) -> bytes:
    return header_digest + struct.pack(">QB", index, final)


def _read_full(source: Readable, size: int) -> bytes:
    """``size`` bytes, or fewer only at the end of the stream (pipes and sockets return short reads)."""
    parts = []
    remaining = size
    while remaining:
        part = source.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)
