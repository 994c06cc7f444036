"""Anchors in object storage: a rewritten or shortened chain is found against them, a forged anchor is refused."""

import base64
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

import audit
from audit.anchors import AnchorStore, anchor_write, anchors_read
from audit.models import GENESIS_HASH, AuditEvent
from audit.tasks import audit_chain_verify, audit_chain_verify_dispatch
from core.models import TaskRun
from isms.celery import app

# These tests play someone who owns the database (triggers off, rows rewritten): a superuser
# connection. The app role cannot do any of it (tests/tenants/test_dbroles.py).
pytestmark = pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")

WRONG_KEY = base64.b64encode(b"an-attacker-s-own-key-32-bytes!!").decode()


def events(schema: str, count: int = 3) -> list[AuditEvent]:
    with schema_context(schema):
        return [audit.record(actor=None, actor_label="anchor test", action=f"anchor.step-{n}") for n in range(count)]


def anchor_now(schema: str) -> None:
    """What the daily task does for one chain: verify it, then anchor its head."""
    with schema_context(schema):
        assert audit_chain_verify.apply().get() is True


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def verify_failed(*args: str) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"audit chain\(s\) broken or with refused anchors"):
        call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


@contextmanager
def as_database_superuser(schema: str) -> Iterator[None]:
    with schema_context(schema), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # the append-only triggers are off
        try:
            yield
        finally:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def execute(sql: str, params: Sequence[str | int] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- the daily task anchors each head -----------------------------------------------------


@pytest.fixture(params=["local", "azure"])
def storage_kind(request: pytest.FixtureRequest) -> str:
    if request.param == "azure":
        request.getfixturevalue("anchors_on_azure")
    return str(request.param)


def stored_anchor_names(schema: str, kind: str) -> list[str]:
    """What is in the backup container or folder, read without the anchor code."""
    if kind == "azure":
        from azure.storage.blob import BlobServiceClient

        service = BlobServiceClient.from_connection_string(settings.AZURE_STORAGE_CONNECTION_STRING)
        container = service.get_container_client(f"{schema.replace('_', '-')}-backups")
        return [blob.name for blob in container.list_blobs()]
    folder = Path(settings.DATA_DIR) / "backups" / schema
    return [str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()]


def test_daily_task_anchors_the_head_it_verified_in_the_tenants_backup_container(acme, storage_kind):
    *_rest, head = events("acme")
    anchor_now("acme")

    reading = anchors_read(schema="acme")
    assert reading.refused == []
    [anchor] = reading.anchors
    assert (anchor.schema, anchor.event_id, anchor.hash) == ("acme", head.pk, head.hash)
    [stored] = stored_anchor_names("acme", storage_kind)
    assert stored == f"audit-anchors/{anchor.name}"
    assert f"-event-{head.pk}-" in stored


def test_next_verification_checks_the_anchor(acme):
    events("acme")
    anchor_now("acme")
    events("acme")
    with schema_context("acme"):
        assert audit_chain_verify.apply().get() is True
        [_first, second] = TaskRun.objects.filter(task="audit.tasks.audit_chain_verify").order_by("id")
    assert ", 1 anchors checked; anchored event" in second.detail
    assert ", 2 anchors checked" in verify("--tenant", "acme")


def test_the_platform_chain_is_anchored_in_the_public_backups_container(acme, globex, storage_kind):
    events("public", 1)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        audit_chain_verify_dispatch.apply().get()
    finally:
        app.conf.task_always_eager = eager
    with schema_context("public"):
        head = AuditEvent.objects.order_by("-id").first()
    assert head is not None
    [anchor] = anchors_read(schema="public").anchors
    assert (anchor.event_id, anchor.hash) == (head.pk, head.hash)
    assert stored_anchor_names("public", storage_kind) == [f"audit-anchors/{anchor.name}"]


def test_a_broken_chain_is_not_anchored(acme):
    _first, altered, _last = events("acme")
    with as_database_superuser("acme"):
        execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [altered.pk])
    with schema_context("acme"):
        assert audit_chain_verify.apply().get() is False
    assert anchors_read(schema="acme").anchors == []


# --- what the anchors find --------------------------------------------------------------


def test_whole_chain_rewritten_as_unkeyed_sha256_is_found_against_the_anchor(acme):
    """Without the key, the attacker's best forgery: every event re-hashed as if it predated keying."""
    events("acme")
    anchor_now("acme")
    with schema_context("acme"):
        anchored = AuditEvent.objects.order_by("-id").first()
    assert anchored is not None
    with as_database_superuser("acme"):
        prev = GENESIS_HASH
        for event in AuditEvent.objects.order_by("id"):
            event.scheme = AuditEvent.Scheme.SHA256
            if event.pk == anchored.pk:
                event.action = "chain.nothing-to-see"
            event.prev_hash = prev
            event.hash = hashlib.sha256(prev.encode() + event.canonical_bytes()).hexdigest()
            execute(
                "UPDATE audit_auditevent SET scheme = 1, action = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [event.action, event.prev_hash, event.hash, event.pk],
            )
            prev = event.hash

    output = verify_failed("--tenant", "acme")
    assert f"acme: BROKEN at event {anchored.pk} — its hash differs from the anchor of " in output
    assert "(the chain was rewritten)" in output


def test_deleting_the_newest_events_after_anchoring_is_found(acme, storage_kind):
    events("acme")
    anchor_now("acme")
    [anchor] = anchors_read(schema="acme").anchors
    with schema_context("acme"):
        survivors = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))[:-2]
    with as_database_superuser("acme"):
        execute("DELETE FROM audit_auditevent WHERE id > %s", [survivors[-1]])

    output = verify_failed("--tenant", "acme")
    assert (
        f"acme: BROKEN at event {anchor.event_id} — the chain ends at event {survivors[-1]} "
        f"but the anchor of {anchor.when} names event {anchor.event_id} (the newest events were removed)"
    ) in output


def test_deleting_the_newest_events_and_writing_new_ones_in_their_place_is_found(acme):
    """Ids reused after resetting the sequence: the anchored id is there, with another hash."""
    events("acme")
    anchor_now("acme")
    [anchor] = anchors_read(schema="acme").anchors
    with as_database_superuser("acme"):
        execute("DELETE FROM audit_auditevent WHERE id >= %s", [anchor.event_id - 1])
        execute("SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), %s, false)", [anchor.event_id - 1])
    events("acme", 2)

    output = verify_failed("--tenant", "acme")
    assert f"acme: BROKEN at event {anchor.event_id} — its hash differs from the anchor of " in output


def test_tampering_in_one_tenant_leaves_the_others_intact(acme, globex):
    events("acme")
    events("globex")
    anchor_now("acme")
    anchor_now("globex")
    with schema_context("globex"):
        newest = AuditEvent.objects.order_by("-id").first()
    assert newest is not None
    with as_database_superuser("globex"):
        execute("DELETE FROM audit_auditevent WHERE id = %s", [newest.pk])

    output = verify_failed()
    assert "globex: BROKEN" in output
    assert "acme: intact" in output


# --- forged anchors ------------------------------------------------------------------------


def test_anchor_signed_with_another_key_is_refused(acme, settings, storage_kind):
    *_rest, head = events("acme")
    settings.ISMS_AUDIT_KEY = WRONG_KEY
    forged = anchor_write(schema="acme", event_id=head.pk + 100, event_hash="f" * 64)
    settings.ISMS_AUDIT_KEY = ""

    reading = anchors_read(schema="acme")
    assert reading.anchors == []
    assert [(r.name, r.reason) for r in reading.refused] == [
        (forged.name, "its signature does not verify (signed with another key, or edited)")
    ]
    output = verify_failed("--tenant", "acme")
    assert "acme: intact" in output  # the forged head did not make the chain look shortened
    assert f"acme: anchor {forged.name} REFUSED — its signature does not verify" in output


def test_edited_anchor_is_refused(acme):
    events("acme")
    anchor_now("acme")
    [anchor] = anchors_read(schema="acme").anchors
    stored = Path(settings.DATA_DIR) / "backups" / "acme" / "audit-anchors" / anchor.name
    content = json.loads(stored.read_text())
    content["event_id"] -= 1
    stored.write_text(json.dumps(content))

    assert "REFUSED — its signature does not verify" in verify_failed("--tenant", "acme")


def test_anchor_of_another_tenant_copied_over_is_refused(acme, globex):
    *_rest, globex_head = events("globex")
    copied = anchor_write(schema="globex", event_id=globex_head.pk, event_hash=globex_head.hash)
    data = AnchorStore("globex").read(copied.name)
    AnchorStore("acme").put(copied.name, data)

    [refused] = anchors_read(schema="acme").refused
    assert refused.reason == "it belongs to another chain (globex)"


def test_object_that_is_no_anchor_is_refused(acme):
    AnchorStore("acme").put("00000000000000000-junk.json", b"not json")

    [refused] = anchors_read(schema="acme").refused
    assert refused.reason == "it is not a readable anchor"


# --- listing stays cheap ------------------------------------------------------------------


def test_verification_reads_the_newest_anchors_only_unless_asked_for_all(acme):
    ids = [event.pk for event in events("acme", 3)]
    start = timezone.now() - dt.timedelta(days=3)
    with schema_context("acme"):
        hashes = dict(AuditEvent.objects.filter(pk__in=ids).values_list("id", "hash"))
    for day, event_id in enumerate(ids):
        anchor_write(schema="acme", event_id=event_id, event_hash=hashes[event_id], now=start + dt.timedelta(days=day))

    assert [a.event_id for a in anchors_read(schema="acme", limit=2).anchors] == [ids[2], ids[1]]
    assert [a.event_id for a in anchors_read(schema="acme", limit=None).anchors] == ids[::-1]
    assert ", 3 anchors checked" in verify("--tenant", "acme", "--all-anchors")
