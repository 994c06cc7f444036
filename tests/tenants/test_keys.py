"""Key rotation: the master key re-wraps every tenant key (resumably), a tenant gets a new key version,
and everything sealed before either rotation still opens."""

import base64
import io

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context

from audit.models import AuditEvent
from tenants import crypto, keys
from tenants.models import TenantKey

OLD = "dGVzdC1tYXN0ZXIta2V5LTMyLWJ5dGVzLWxvbmchISE="  # the test environment's ISMS_MASTER_KEY
NEW = base64.b64encode(bytes(range(200, 232))).decode()
NAME = "evidence/2026/firewall-review.pdf"


def _header_key_id(sealed: bytes) -> str:
    length = sealed[crypto._FIXED_HEADER.size - 1]
    return sealed[crypto._FIXED_HEADER.size : crypto._FIXED_HEADER.size + length].decode()


def _master_ids() -> dict[str, str]:
    return dict(TenantKey.objects.values_list("key_id", "master_key_id"))


def test_a_new_tenant_key_records_the_master_key_that_wraps_it(acme):
    record = TenantKey.objects.get(tenant=acme.tenant, retired_at=None)
    assert record.master_key_id == keys.master_key_id(base64.b64decode(OLD))
    assert OLD not in record.master_key_id and len(record.master_key_id) == keys.MASTER_KEY_ID_HEX


def test_master_key_rotation_rewraps_every_tenant_key_and_old_objects_open_with_the_new_key_only(
    acme, globex, settings
):
    sealed = crypto.encrypt_bytes(tenant=acme.tenant, object_name=NAME, data=b"before the rotation")
    settings.ISMS_MASTER_KEY, settings.ISMS_MASTER_KEY_PREVIOUS = NEW, [OLD]
    out = io.StringIO()
    call_command("master_key_rotate", stdout=out)

    new_id = keys.master_key_id(base64.b64decode(NEW))
    assert set(_master_ids().values()) == {new_id}
    assert f"Every tenant key is wrapped by master key {new_id}" in out.getvalue()
    settings.ISMS_MASTER_KEY_PREVIOUS = []  # the old master key is gone
    assert crypto.decrypt_bytes(tenant=acme.tenant, object_name=NAME, data=sealed) == b"before the rotation"
    with schema_context("public"):
        done = AuditEvent.objects.filter(action="master_key.rotated").latest("id")
        assert done.changes["wrapped_by"] == [None, new_id]
        rewrapped = AuditEvent.objects.filter(action="tenant_key.rewrapped", id__lt=done.id)
        assert rewrapped.count() == TenantKey.objects.count() >= 2
    # The old master key alone no longer opens anything.
    settings.ISMS_MASTER_KEY = OLD
    with pytest.raises(crypto.DecryptionError, match=crypto.MASTER_KEY_MISMATCH):
        crypto.decrypt_bytes(tenant=acme.tenant, object_name=NAME, data=sealed)


def test_a_master_rotation_killed_halfway_finishes_when_run_again_without_double_wrapping(
    acme, globex, settings, monkeypatch
):
    settings.ISMS_MASTER_KEY, settings.ISMS_MASTER_KEY_PREVIOUS = NEW, [OLD]
    new_id, old_id = (keys.master_key_id(base64.b64decode(value)) for value in (NEW, OLD))
    original = keys.tenant_key_rewrap
    calls = []

    def killed_on_the_second_key(*, pk: int) -> bool:
        calls.append(pk)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the operator's ^C, or the container stopped
        return original(pk=pk)

    monkeypatch.setattr(keys, "tenant_key_rewrap", killed_on_the_second_key)
    with pytest.raises(KeyboardInterrupt):
        call_command("master_key_rotate", stdout=io.StringIO())
    first = TenantKey.objects.get(pk=calls[0])
    assert first.master_key_id == new_id
    assert old_id in _master_ids().values()
    # Meanwhile both masters are configured, so every tenant's objects still open.
    for world in (acme, globex):
        crypto.decrypt_bytes(
            tenant=world.tenant,
            object_name=NAME,
            data=crypto.encrypt_bytes(tenant=world.tenant, object_name=NAME, data=b"x"),
        )

    monkeypatch.setattr(keys, "tenant_key_rewrap", original)
    out = io.StringIO()
    call_command("master_key_rotate", stdout=out)
    assert set(_master_ids().values()) == {new_id}
    assert bytes(TenantKey.objects.get(pk=first.pk).wrapped_key) == bytes(first.wrapped_key)  # left alone
    assert f"{first.key_id} already wrapped by the new master key" in out.getvalue()
    assert f"({TenantKey.objects.count() - 1} re-wrapped now, 1 already were)" in out.getvalue()
    settings.ISMS_MASTER_KEY_PREVIOUS = []
    for record in TenantKey.objects.select_related("tenant"):
        keys.tenant_key_unwrap(tenant=record.tenant, key_id=record.key_id)


def test_a_key_wrapped_by_a_master_key_no_longer_configured_is_refused_naming_it(acme, settings):
    old_id = keys.master_key_id(base64.b64decode(OLD))
    settings.ISMS_MASTER_KEY = NEW
    with pytest.raises(keys.MasterKeyMismatch, match=f"wrapped by master key '{old_id}'.*ISMS_MASTER_KEY_PREVIOUS"):
        keys.tenant_key_unwrap(tenant=acme.tenant)
    with pytest.raises(CommandError, match=f"wrapped by master key '{old_id}'"):
        call_command("master_key_rotate", stdout=io.StringIO())


def test_keys_from_before_master_ids_are_opened_and_rewrapped(acme, settings):
    TenantKey.objects.filter(tenant=acme.tenant).update(master_key_id="")
    sealed = crypto.encrypt_bytes(tenant=acme.tenant, object_name=NAME, data=b"legacy")
    settings.ISMS_MASTER_KEY, settings.ISMS_MASTER_KEY_PREVIOUS = NEW, [OLD]
    call_command("master_key_rotate", stdout=io.StringIO())
    settings.ISMS_MASTER_KEY_PREVIOUS = []
    assert crypto.decrypt_bytes(tenant=acme.tenant, object_name=NAME, data=sealed) == b"legacy"


def test_a_bad_previous_master_key_is_refused_naming_the_variable(acme, settings):
    settings.ISMS_MASTER_KEY, settings.ISMS_MASTER_KEY_PREVIOUS = NEW, ["not base64!"]
    with pytest.raises(CommandError, match=r"ISMS_MASTER_KEY_PREVIOUS \(entry 1\) is not valid base64"):
        call_command("master_key_rotate", stdout=io.StringIO())


def test_tenant_key_rotation_gives_new_objects_a_new_key_and_old_ones_still_open(acme, globex):
    before = crypto.encrypt_bytes(tenant=acme.tenant, object_name=NAME, data=b"sealed under version 1")
    old = TenantKey.objects.get(tenant=acme.tenant, retired_at=None)
    globex_key = TenantKey.objects.get(tenant=globex.tenant, retired_at=None)
    out = io.StringIO()
    call_command("tenant_key_rotate", "--slug", "acme", stdout=out)

    new = TenantKey.objects.get(tenant=acme.tenant, retired_at=None)
    assert new.key_id != old.key_id and f"now seals new objects with key {new.key_id}" in out.getvalue()
    assert TenantKey.objects.get(pk=old.pk).retired_at is not None
    assert TenantKey.objects.get(tenant=globex.tenant, retired_at=None) == globex_key  # others untouched
    after = crypto.encrypt_bytes(tenant=acme.tenant, object_name=NAME, data=b"sealed under version 2")
    assert (_header_key_id(before), _header_key_id(after)) == (old.key_id, new.key_id)
    assert crypto.decrypt_bytes(tenant=acme.tenant, object_name=NAME, data=before) == b"sealed under version 1"
    assert crypto.decrypt_bytes(tenant=acme.tenant, object_name=NAME, data=after) == b"sealed under version 2"
    with schema_context("acme"):
        event = AuditEvent.objects.get(action="tenant_key.rotated")
    assert event.changes == {"version": [old.key_id, new.key_id]}
    assert event.object_id == new.key_id
    with schema_context("globex"):
        assert not AuditEvent.objects.filter(action="tenant_key.rotated").exists()


def test_rotating_the_key_of_an_unknown_tenant_is_refused(db, worlds):
    with pytest.raises(CommandError, match="No tenant 'nobody'"):
        call_command("tenant_key_rotate", "--slug", "nobody", stdout=io.StringIO())
