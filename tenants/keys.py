"""Tenant keys: one random 256-bit key per tenant, stored only wrapped by the master key (``ISMS_MASTER_KEY``).

The wrap is AES-256-GCM with the tenant's schema and the key id as associated data, so a
wrapped key copied to another tenant's row, or read with another master key, fails to open.
Tenant keys in turn wrap the data key of every encrypted object (``tenants.crypto``).
"""

import hashlib
import hmac
import secrets
import struct
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from core.master_key import master_key
from core.master_key import master_key_decode as _master_key_decode

from .models import Tenant, TenantKey

KEY_BYTES = 32  # as core.master_key.KEY_BYTES
NONCE_BYTES = 12
# 64 random bits: a collision is practically impossible, and the unique key_id column would refuse one.
KEY_ID_BYTES = 8
_WRAP_LABEL = b"ISMS tenant key v1"
_MASTER_ID_LABEL = b"ISMS master key id v1"
MASTER_KEY_ID_HEX = 16


class TenantKeyError(Exception):
    """A tenant key cannot be used."""


class TenantKeyMissing(TenantKeyError):
    """The tenant has no key with the asked-for id (or no active key, where one was required)."""


class MasterKeyMismatch(TenantKeyError):
    """The tenant key was wrapped by another master key (or its stored bytes were changed)."""


def associated_data(*parts: bytes) -> bytes:
    """An unambiguous encoding of several fields as AEAD associated data: each one length-prefixed."""
    return b"".join(struct.pack(">I", len(part)) + part for part in parts)


def master_key_id(key: bytes) -> str:
    """A public name for a master key: an HMAC of a fixed label under the key, so it reveals nothing of it."""
    return hmac.new(key, _MASTER_ID_LABEL, hashlib.sha256).hexdigest()[:MASTER_KEY_ID_HEX]


def master_keys() -> dict[str, bytes]:
    """Every configured master key by id: the current one (``ISMS_MASTER_KEY``) first, then the previous
    ones (``ISMS_MASTER_KEY_PREVIOUS``) that a rotation in progress still reads but never writes with."""
    current = master_key()
    found = {master_key_id(current): current}
    for position, value in enumerate(getattr(settings, "ISMS_MASTER_KEY_PREVIOUS", None) or [], start=1):
        key = _master_key_decode(value, f"ISMS_MASTER_KEY_PREVIOUS (entry {position})")
        found.setdefault(master_key_id(key), key)
    return found


def _wrap_aad(tenant: Tenant, key_id: str) -> bytes:
    return associated_data(_WRAP_LABEL, tenant.schema_name.encode(), key_id.encode())


@transaction.atomic
def tenant_key_create(*, tenant: Tenant) -> TenantKey:
    """Give ``tenant`` its active key; refused if it already has one (keys are never replaced here)."""
    master = master_key()
    if TenantKey.objects.filter(tenant=tenant, retired_at__isnull=True).exists():
        raise TenantKeyError(f"Tenant {tenant.slug!r} already has an active key.")
    key_id = secrets.token_hex(KEY_ID_BYTES)
    return TenantKey.objects.create(
        tenant=tenant,
        key_id=key_id,
        wrapped_key=_wrap(master, tenant, key_id, secrets.token_bytes(KEY_BYTES)),
        master_key_id=master_key_id(master),
    )


def _wrap(master: bytes, tenant: Tenant, key_id: str, key: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(master).encrypt(nonce, key, _wrap_aad(tenant, key_id))


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
    return record.key_id, _unwrap(record, tenant, master_keys())


def _unwrap(record: TenantKey, tenant: Tenant, masters: dict[str, bytes]) -> bytes:
    """The tenant key in ``record``, opened with the master key it names (any known one if it names none)."""
    if record.master_key_id and record.master_key_id not in masters:
        raise MasterKeyMismatch(
            f"Key {record.key_id!r} of tenant {tenant.slug!r} is wrapped by master key {record.master_key_id!r}, "
            "which is configured neither as ISMS_MASTER_KEY nor in ISMS_MASTER_KEY_PREVIOUS."
        )
    # Keys from before master key ids were recorded name none: try each configured master key.
    candidates = [masters[record.master_key_id]] if record.master_key_id else list(masters.values())
    wrapped = bytes(record.wrapped_key)
    for master in candidates:
        try:
            return AESGCM(master).decrypt(
                wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _wrap_aad(tenant, record.key_id)
            )
        except InvalidTag:
            continue
    raise MasterKeyMismatch(f"The master key does not open key {record.key_id!r} of tenant {tenant.slug!r}.")


# --- rotation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MasterRotation:
    master_key_id: str
    """The master key that now wraps every tenant key."""
    rewrapped: int
    """Tenant keys re-wrapped by this run."""
    already: int
    """Tenant keys found already wrapped by the current master key (by an earlier, interrupted run)."""


def tenant_key_rewrap(*, pk: int) -> bool:
    """Re-wrap one tenant key under the current master key; False if it already is (nothing written).

    One transaction per key with the row locked: a run stopped at any point leaves every key wrapped
    by exactly one master key, and recorded as such, so running again simply carries on.
    """
    masters = master_keys()
    current_id, current = next(iter(masters.items()))
    with transaction.atomic(), schema_context(get_public_schema_name()):
        record = TenantKey.objects.select_for_update().select_related("tenant").get(pk=pk)
        if record.master_key_id == current_id:
            return False
        previous_id = record.master_key_id
        key = _unwrap(record, record.tenant, masters)
        record.wrapped_key = _wrap(current, record.tenant, record.key_id, key)
        record.master_key_id = current_id
        record.save(update_fields=["wrapped_key", "master_key_id"])
        _platform_record(
            action="tenant_key.rewrapped",
            obj=record,
            changes={"tenant": [None, record.tenant.slug], "wrapped_by": [previous_id or None, current_id]},
        )
        return True


def master_key_rotate(*, progress: Callable[[TenantKey, bool], None] | None = None) -> MasterRotation:
    """Re-wrap every tenant key (active and retired) under ``ISMS_MASTER_KEY``; resumable.

    The keys still wrapped by the old master key are opened with ``ISMS_MASTER_KEY_PREVIOUS``.
    When this returns, no tenant key needs the previous master key any more: it may be dropped.
    """
    masters = master_keys()
    current_id = next(iter(masters))
    rewrapped = already = 0
    with schema_context(get_public_schema_name()):
        for pk in TenantKey.objects.order_by("pk").values_list("pk", flat=True):
            changed = tenant_key_rewrap(pk=pk)
            rewrapped += changed
            already += not changed
            if progress is not None:
                progress(TenantKey.objects.select_related("tenant").get(pk=pk), changed)
        _platform_record(
            action="master_key.rotated",
            changes={"wrapped_by": [None, current_id], "rewrapped": [None, rewrapped], "already": [None, already]},
        )
    return MasterRotation(master_key_id=current_id, rewrapped=rewrapped, already=already)


@transaction.atomic
def tenant_key_rotate(*, tenant: Tenant) -> TenantKey:
    """Retire the tenant's active key and give it a new one: new objects and backups use the new key.

    Objects sealed before name their key id in their header and open with the retired key, which is
    kept. Recorded in the tenant's own audit chain.
    """
    Tenant.objects.select_for_update().filter(pk=tenant.pk).get()
    with schema_context(get_public_schema_name()):
        previous = TenantKey.objects.filter(tenant=tenant, retired_at__isnull=True).first()
        if previous is not None:
            previous.retired_at = timezone.now()
            previous.save(update_fields=["retired_at"])
        created = tenant_key_create(tenant=tenant)
    with schema_context(tenant.schema_name):
        import audit

        audit.record(
            actor=None,
            actor_label="operator",
            action="tenant_key.rotated",
            object_type="tenants.tenantkey",
            object_id=created.key_id,
            object_label=f"tenant key {created.key_id}",
            changes={"version": [previous.key_id if previous else None, created.key_id]},
        )
    return created


def _platform_record(*, action: str, changes: dict[str, list[object]], obj: TenantKey | None = None) -> None:
    """An event in the platform's (public schema's) audit chain."""
    import audit

    with schema_context(get_public_schema_name()):
        audit.record(actor=None, actor_label="operator", action=action, obj=obj, changes=changes)
