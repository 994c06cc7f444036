"""Tenant keys: one random 256-bit key per tenant, stored only wrapped by the master key (``ISMS_MASTER_KEY``).

The wrap is AES-256-GCM with the tenant's schema and the key id as associated data, so a
wrapped key copied to another tenant's row, or read with another master key, fails to open.
Tenant keys in turn wrap the data key of every encrypted object (``core.crypto``).
"""

import base64
import binascii
import secrets
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from .models import Tenant, TenantKey

KEY_BYTES = 32
NONCE_BYTES = 12
# 64 random bits: a collision is practically impossible, and the unique key_id column would refuse one.
KEY_ID_BYTES = 8
_WRAP_LABEL = b"ISMS tenant key v1"


class TenantKeyError(Exception):
    """A tenant key cannot be used."""


class TenantKeyMissing(TenantKeyError):
    """The tenant has no key with the asked-for id (or no active key, where one was required)."""


class MasterKeyMismatch(TenantKeyError):
    """The tenant key was wrapped by another master key (or its stored bytes were changed)."""


def associated_data(*parts: bytes) -> bytes:
    """An unambiguous encoding of several fields as AEAD associated data: each one length-prefixed."""
    return b"".join(struct.pack(">I", len(part)) + part for part in parts)


def master_key() -> bytes:
    """The master key from settings, or ImproperlyConfigured if it is not base64 of exactly 32 bytes.

    Standard and URL-safe base64 are both accepted (the debug key in ``.data/master_key`` is URL-safe).
    """
    value = str(settings.ISMS_MASTER_KEY or "").strip()
    hint = "Generate one with `openssl rand -base64 32`."
    if not value:
        raise ImproperlyConfigured(f"ISMS_MASTER_KEY is not set. {hint}")
    try:
        key = base64.b64decode(value.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(
            f"ISMS_MASTER_KEY is not valid base64; it must be the base64 encoding of exactly {KEY_BYTES} bytes. {hint}"
        ) from None
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"ISMS_MASTER_KEY must be the base64 encoding of exactly {KEY_BYTES} bytes; "
            f"it decodes to {len(key)} bytes. {hint}"
        )
    return key


def _wrap_aad(tenant: Tenant, key_id: str) -> bytes:
    return associated_data(_WRAP_LABEL, tenant.schema_name.encode(), key_id.encode())


@transaction.atomic
def tenant_key_create(*, tenant: Tenant) -> TenantKey:
    """Give ``tenant`` its active key; refused if it already has one (keys are never replaced here)."""
    master = master_key()
    if TenantKey.objects.filter(tenant=tenant, retired_at__isnull=True).exists():
        raise TenantKeyError(f"Tenant {tenant.slug!r} already has an active key.")
    key_id = secrets.token_hex(KEY_ID_BYTES)
    nonce = secrets.token_bytes(NONCE_BYTES)
    wrapped = nonce + AESGCM(master).encrypt(nonce, secrets.token_bytes(KEY_BYTES), _wrap_aad(tenant, key_id))
    return TenantKey.objects.create(tenant=tenant, key_id=key_id, wrapped_key=wrapped)


def tenant_key_for(*, tenant: Tenant) -> TenantKey:
    """The tenant's active key, created on first use for tenants provisioned before keys existed.

    Never replaces an existing key; concurrent first uses wait on the tenant row, so only one is made.
    """
    key = TenantKey.objects.filter(tenant=tenant, retired_at__isnull=True).first()
    if key is not None:
        return key
    with transaction.atomic():
        Tenant.objects.select_for_update().filter(pk=tenant.pk).get()
        key = TenantKey.objects.filter(tenant=tenant, retired_at__isnull=True).first()
        return key if key is not None else tenant_key_create(tenant=tenant)


def tenant_key_unwrap(*, tenant: Tenant, key_id: str | None = None) -> tuple[str, bytes]:
    """``(key_id, key)`` of the tenant's active key, or of its key ``key_id`` (active or retired).

    Raises TenantKeyMissing if the tenant has no such key, MasterKeyMismatch if the
    configured master key does not open it.
    """
    record = (
        tenant_key_for(tenant=tenant)
        if key_id is None
        else TenantKey.objects.filter(tenant=tenant, key_id=key_id).first()
    )
    if record is None:
        raise TenantKeyMissing(f"Tenant {tenant.slug!r} has no key {key_id!r}.")
    master = master_key()
    wrapped = bytes(record.wrapped_key)
    try:
        key = AESGCM(master).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _wrap_aad(tenant, record.key_id))
    except InvalidTag:
        raise MasterKeyMismatch(
            f"The master key does not open key {record.key_id!r} of tenant {tenant.slug!r}."
        ) from None
    return record.key_id, key
