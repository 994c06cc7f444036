"""Encrypted objects open only for their own tenant, name and master key, and any change to them is caught."""

import base64
import hashlib
import io
import random
import tracemalloc

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from tenants import crypto, keys
from tenants.crypto import DecryptionError
from tenants.models import Tenant, TenantKey

SMALL = 64  # chunk size for the fast tests: many chunks from a few hundred bytes
NAME = "evidence/2026/firewall-review.pdf"


def _plaintext(size: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


def _encrypt(tenant: Tenant, data: bytes, *, name: str = NAME, chunk_size: int = SMALL) -> bytes:
    return crypto.encrypt_bytes(tenant=tenant, object_name=name, data=data, chunk_size=chunk_size)


def _split(ciphertext: bytes, chunk_size: int = SMALL) -> tuple[bytes, list[bytes]]:
    """The header and the sealed chunks of an object (the format's fixed framing)."""
    key_id_length = ciphertext[crypto._FIXED_HEADER.size - 1]
    header_size = crypto._FIXED_HEADER.size + key_id_length + crypto.WRAPPED_KEY_BYTES + crypto.NONCE_PREFIX_BYTES
    body = ciphertext[header_size:]
    step = chunk_size + crypto.TAG_BYTES
    return ciphertext[:header_size], [body[start : start + step] for start in range(0, len(body), step)]


def _refused(tenant: Tenant, ciphertext: bytes, *, name: str = NAME) -> str:
    with pytest.raises(DecryptionError) as error:
        crypto.decrypt_bytes(tenant=tenant, object_name=name, data=ciphertext)
    return str(error.value)


class DiscardingSink(io.RawIOBase):
    """Counts and hashes what is written, keeping none of it."""

    def __init__(self) -> None:
        self.size = 0
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.size += len(data)
        self.digest.update(data)
        return len(data)


class GeneratedSource(io.RawIOBase):
    """``size`` bytes made up on demand, in reads of at most ``max_read`` bytes (like a pipe)."""

    PATTERN = bytes(range(251))  # a prime length, so chunks do not repeat each other

    def __init__(self, size: int, *, max_read: int | None = None) -> None:
        self.size = size
        self.position = 0
        self.max_read = max_read

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        remaining = self.size - self.position
        size = remaining if size < 0 else min(size, remaining)
        if self.max_read:
            size = min(size, self.max_read)
        start = self.position % len(self.PATTERN)
        data = (self.PATTERN * ((start + size) // len(self.PATTERN) + 1))[start : start + size]
        self.position += size
        return data


class Trickle(io.RawIOBase):
    """A stream of ``data`` that hands out at most 5 bytes per read."""

    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = min(5, len(self.data)) if size < 0 else min(size, 5, len(self.data))
        part, self.data = bytes(self.data[:size]), self.data[size:]
        return part


@pytest.mark.parametrize(
    "size",
    [0, 1, SMALL - 1, SMALL, SMALL + 1, 3 * SMALL, 7 * SMALL + 13],
    ids=["empty", "1-byte", "chunk-minus-1", "one-chunk", "chunk-plus-1", "three-chunks", "many-plus-remainder"],
)
def test_round_trip(acme, size):
    data = _plaintext(size)
    ciphertext = _encrypt(acme.tenant, data)
    assert crypto.decrypt_bytes(tenant=acme.tenant, object_name=NAME, data=ciphertext) == data
    _header, chunks = _split(ciphertext)
    # Full chunks, then a final one: short, empty only for empty data, or itself full.
    assert len(chunks) == max(1, -(-size // SMALL))
    assert len(chunks[-1]) == size - (len(chunks) - 1) * SMALL + crypto.TAG_BYTES


def test_round_trip_of_20_mb_with_the_default_chunk_size(acme):
    data = _plaintext(20 * 1024 * 1024 + 12345)
    sink = io.BytesIO()
    result = crypto.encrypt_stream(tenant=acme.tenant, object_name=NAME, source=io.BytesIO(data), sink=sink)
    plaintext = io.BytesIO()
    crypto.decrypt_stream(tenant=acme.tenant, object_name=NAME, source=io.BytesIO(sink.getvalue()), sink=plaintext)
    assert plaintext.getvalue() == data
    assert result.size == len(sink.getvalue())


def test_short_reads_on_both_sides_give_the_same_bytes(acme):
    size = 10 * SMALL + 5
    expected = GeneratedSource(size).read()
    sink = io.BytesIO()
    crypto.encrypt_stream(
        tenant=acme.tenant,
        object_name=NAME,
        source=GeneratedSource(size, max_read=7),
        sink=sink,
        chunk_size=SMALL,
    )
    plaintext = io.BytesIO()
    crypto.decrypt_stream(
        tenant=acme.tenant,
        object_name=NAME,
        source=Trickle(sink.getvalue()),
        sink=plaintext,
    )
    assert plaintext.getvalue() == expected


def test_ciphertext_does_not_contain_the_plaintext(acme):
    data = b"CONFIDENTIAL: the vault code is 4711. " * 50
    ciphertext = _encrypt(acme.tenant, data)
    assert b"CONFIDENTIAL" not in ciphertext
    assert b"4711" not in ciphertext
    assert ciphertext.startswith(b"ISMSENC")


def test_reported_size_sha256_and_key_id_match_what_was_written(acme):
    sink = io.BytesIO()
    result = crypto.encrypt_stream(
        tenant=acme.tenant, object_name=NAME, source=io.BytesIO(_plaintext(1000)), sink=sink, chunk_size=SMALL
    )
    assert result.size == len(sink.getvalue())
    assert result.sha256 == hashlib.sha256(sink.getvalue()).hexdigest()
    assert result.key_id == TenantKey.objects.get(tenant=acme.tenant, retired_at=None).key_id
    assert result.key_id.encode() in sink.getvalue()[: crypto._FIXED_HEADER.size + 64]


def test_two_encryptions_of_the_same_data_differ(acme):
    data = _plaintext(300)
    assert _encrypt(acme.tenant, data) != _encrypt(acme.tenant, data)


def test_flipping_any_single_bit_of_header_or_body_is_detected(acme):
    ciphertext = _encrypt(acme.tenant, _plaintext(3 * SMALL + 10))
    _header, chunks = _split(ciphertext)
    assert len(chunks) == 4
    positions = list(range(len(ciphertext)))  # every byte: the object is a few hundred bytes
    for position in positions:
        for bit in (0x01, 0x80):
            changed = bytearray(ciphertext)
            changed[position] ^= bit
            with pytest.raises(DecryptionError):
                crypto.decrypt_bytes(tenant=acme.tenant, object_name=NAME, data=bytes(changed))


def test_a_changed_body_byte_says_the_archive_was_changed(acme):
    ciphertext = bytearray(_encrypt(acme.tenant, _plaintext(3 * SMALL)))
    ciphertext[-1] ^= 0x01
    assert _refused(acme.tenant, bytes(ciphertext)) == crypto.CHANGED


def test_no_plaintext_of_a_changed_chunk_reaches_the_sink(acme):
    data = _plaintext(5 * SMALL)
    header, chunks = _split(_encrypt(acme.tenant, data))
    broken = bytearray(chunks[2])
    broken[3] ^= 0x01
    sink = io.BytesIO()
    with pytest.raises(DecryptionError):
        crypto.decrypt_stream(
            tenant=acme.tenant,
            object_name=NAME,
            source=io.BytesIO(header + chunks[0] + chunks[1] + bytes(broken) + b"".join(chunks[3:])),
            sink=sink,
        )
    # Only the two authenticated chunks before the change: the caller discards them on error.
    assert sink.getvalue() == data[: 2 * SMALL]


@pytest.mark.parametrize("size", [3 * SMALL, 3 * SMALL + 20], ids=["full-last-chunk", "short-last-chunk"])
def test_truncation_is_detected(acme, size):
    ciphertext = _encrypt(acme.tenant, _plaintext(size))
    header, chunks = _split(ciphertext)
    for kept in range(len(chunks)):  # at every chunk boundary, down to the bare header
        assert _refused(acme.tenant, header + b"".join(chunks[:kept])) == crypto.CHANGED
    for cut in (1, crypto.TAG_BYTES, SMALL // 2, len(chunks[-1]) - 1):  # inside the last chunk
        assert _refused(acme.tenant, ciphertext[:-cut]) == crypto.CHANGED
    assert _refused(acme.tenant, header[:-5]) == crypto.CHANGED  # inside the header
    assert _refused(acme.tenant, b"") == crypto.NOT_ENCRYPTED


@pytest.mark.parametrize("size", [3 * SMALL, 3 * SMALL + 20], ids=["full-last-chunk", "short-last-chunk"])
def test_appending_is_detected(acme, size):
    ciphertext = _encrypt(acme.tenant, _plaintext(size))
    _header, chunks = _split(ciphertext)
    _other_header, other_chunks = _split(_encrypt(acme.tenant, _plaintext(size, seed=2)))
    for extra in (chunks[0], chunks[-1], other_chunks[-1], b"\x00", b"\x00" * (SMALL + crypto.TAG_BYTES)):
        assert _refused(acme.tenant, ciphertext + extra) == crypto.CHANGED


def test_reordered_or_repeated_chunks_are_detected(acme):
    header, chunks = _split(_encrypt(acme.tenant, _plaintext(4 * SMALL + 9)))
    swapped = [chunks[1], chunks[0], *chunks[2:]]
    assert _refused(acme.tenant, header + b"".join(swapped)) == crypto.CHANGED
    swapped_middle = [chunks[0], chunks[2], chunks[1], *chunks[3:]]
    assert _refused(acme.tenant, header + b"".join(swapped_middle)) == crypto.CHANGED
    repeated = [chunks[0], chunks[0], *chunks[2:]]
    assert _refused(acme.tenant, header + b"".join(repeated)) == crypto.CHANGED


def test_chunks_from_another_object_are_refused(acme):
    header, chunks = _split(_encrypt(acme.tenant, _plaintext(3 * SMALL)))
    other_header, other_chunks = _split(_encrypt(acme.tenant, _plaintext(3 * SMALL)))
    assert _refused(acme.tenant, header + chunks[0] + other_chunks[1] + chunks[2]) == crypto.CHANGED
    assert _refused(acme.tenant, other_header + b"".join(chunks)) == crypto.CHANGED


def test_another_tenant_cannot_decrypt(acme, globex):
    ciphertext = _encrypt(acme.tenant, _plaintext(200))
    assert _refused(globex.tenant, ciphertext) == crypto.FOREIGN


def test_another_object_name_cannot_decrypt(acme):
    ciphertext = _encrypt(acme.tenant, _plaintext(200))
    assert _refused(acme.tenant, ciphertext, name="evidence/2026/other.pdf") == crypto.FOREIGN
    assert _refused(acme.tenant, ciphertext, name=NAME + " ") == crypto.FOREIGN


def test_another_master_key_cannot_decrypt(acme, settings):
    ciphertext = _encrypt(acme.tenant, _plaintext(200))
    settings.ISMS_MASTER_KEY = base64.b64encode(bytes(range(100, 132))).decode()
    assert _refused(acme.tenant, ciphertext) == crypto.MASTER_KEY_MISMATCH
    with pytest.raises(crypto.CryptoError, match=crypto.MASTER_KEY_MISMATCH):
        crypto.encrypt_bytes(tenant=acme.tenant, object_name=NAME, data=b"new")


def test_data_that_was_never_encrypted_is_refused(acme):
    assert _refused(acme.tenant, b"%PDF-1.7 an ordinary file") == crypto.NOT_ENCRYPTED


def test_encrypting_64_mb_from_a_stream_keeps_memory_bounded(acme):
    size = 64 * 1024 * 1024
    sink = DiscardingSink()
    tracemalloc.start()
    try:
        result = crypto.encrypt_stream(
            tenant=acme.tenant,
            object_name="backups/acme.dump",
            source=GeneratedSource(size),
            sink=sink,
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"
    assert result.size == sink.size > size
    assert result.sha256 == sink.digest.hexdigest()


def test_a_provisioned_tenant_has_one_wrapped_key(acme):
    (record,) = TenantKey.objects.filter(tenant=acme.tenant)
    assert record.retired_at is None
    key_id, key = keys.tenant_key_unwrap(tenant=acme.tenant)
    assert key_id == record.key_id
    assert len(key) == 32
    wrapped = bytes(record.wrapped_key)
    assert len(wrapped) == keys.NONCE_BYTES + 32 + 16
    assert wrapped != key and key not in wrapped
    assert keys.tenant_key_for(tenant=acme.tenant) == record


def test_tenants_have_different_keys(acme, globex):
    assert keys.tenant_key_unwrap(tenant=acme.tenant)[1] != keys.tenant_key_unwrap(tenant=globex.tenant)[1]


def test_a_tenant_from_before_keys_gets_one_lazily_and_only_one(db, worlds):
    tenant = Tenant.objects.create(schema_name="keyless", slug="keyless", name="Keyless")
    assert not TenantKey.objects.filter(tenant=tenant).exists()
    first = keys.tenant_key_for(tenant=tenant)
    assert keys.tenant_key_for(tenant=tenant) == first
    assert (
        crypto.decrypt_bytes(
            tenant=tenant, object_name=NAME, data=crypto.encrypt_bytes(tenant=tenant, object_name=NAME, data=b"x")
        )
        == b"x"
    )
    assert TenantKey.objects.filter(tenant=tenant).count() == 1
    with pytest.raises(keys.TenantKeyError, match="already has an active key"):
        keys.tenant_key_create(tenant=tenant)


def test_objects_sealed_under_a_retired_key_still_open(acme):
    old = _encrypt(acme.tenant, b"sealed before rotation")
    TenantKey.objects.filter(tenant=acme.tenant).update(retired_at=timezone.now())
    new_key = keys.tenant_key_create(tenant=acme.tenant)
    new = crypto.encrypt_stream(
        tenant=acme.tenant, object_name=NAME, source=io.BytesIO(b"after"), sink=io.BytesIO(), chunk_size=SMALL
    )
    assert new.key_id == new_key.key_id
    assert crypto.decrypt_bytes(tenant=acme.tenant, object_name=NAME, data=old) == b"sealed before rotation"


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "ISMS_MASTER_KEY is not set"),
        ("not base64 at all!", "is not valid base64"),
        ("c2hvcnQ=", "exactly 32 bytes; it decodes to 5 bytes"),
        # The key the Makefile once used: 34 bytes, not 32.
        ("dGVzdC1tYXN0ZXIta2V5LW5vdC1mb3ItcHJvZHVjdGlvbg==", "exactly 32 bytes; it decodes to 34 bytes"),
        (base64.b64encode(bytes(33)).decode(), "it decodes to 33 bytes"),
    ],
)
def test_a_bad_master_key_is_refused_with_a_clear_message(db, worlds, settings, value, message):
    settings.ISMS_MASTER_KEY = value
    with pytest.raises(ImproperlyConfigured, match=message):
        keys.master_key()
    tenant = Tenant.objects.create(schema_name="keyless", slug="keyless", name="Keyless")
    with pytest.raises(ImproperlyConfigured):
        keys.tenant_key_for(tenant=tenant)
    assert not TenantKey.objects.filter(tenant=tenant).exists()


def test_standard_and_url_safe_base64_master_keys_are_both_accepted(settings):
    raw = bytes([0xFB, 0xFF, 0xBF] * 10 + [1, 2])  # encodes to characters that differ between the alphabets
    settings.ISMS_MASTER_KEY = base64.b64encode(raw).decode()
    assert "+" in settings.ISMS_MASTER_KEY or "/" in settings.ISMS_MASTER_KEY
    assert keys.master_key() == raw
    settings.ISMS_MASTER_KEY = base64.urlsafe_b64encode(raw).decode()
    assert keys.master_key() == raw
