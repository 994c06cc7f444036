"""The audit trail cannot be changed in the database, and any change made around that is found."""

import base64
import hashlib
import hmac
import io
import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

import audit
from audit.keys import audit_key
from audit.models import CHAIN_KEYED_ACTION, GENESIS_HASH, AuditEvent
from audit.services import chain_verify
from audit.tasks import audit_chain_verify, audit_chain_verify_dispatch
from core.models import TaskRun
from core.tasks import PublicSchemaError
from isms.celery import app
from tenants.models import Tenant

# These tests play someone who owns the database (triggers off, rows rewritten): a superuser
# connection. The app role cannot do any of it (tests/tenants/test_dbroles.py).
pytestmark = pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def verify_broken(*args: str) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"audit chain\(s\) broken"):
        call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def three_events(schema: str) -> list[AuditEvent]:
    with schema_context(schema):
        return [
            audit.record(actor=None, actor_label="chain test", action=f"chain.step-{step}", changes={"step": [0, step]})
            for step in (1, 2, 3)
        ]


@contextmanager
def trigger_bypassed(schema: str) -> Iterator[None]:
    """What a database superuser could do: write to the table with its triggers switched off."""
    with schema_context(schema), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield
        finally:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def execute(sql: str, params: Sequence[str | int] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- append-only in the database ---------------------------------------------------------


@pytest.mark.parametrize("schema", ["acme", "globex", "public"])
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET action = 'nothing.happened' WHERE id = %s",
        "UPDATE audit_auditevent SET changes = '{}' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
        "TRUNCATE audit_auditevent",
    ],
)
def test_stored_events_cannot_be_changed_or_removed_with_sql(worlds, db, schema, statement):
    with schema_context(schema):
        event = audit.record(actor=None, action="evidence.kept", changes={"owner": ["a", "b"]})
        params = [event.pk] if "%s" in statement else None
        with pytest.raises(DatabaseError, match="audit events are append-only"), transaction.atomic():
            execute(statement, params)
        stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.changes, stored.hash) == ("evidence.kept", {"owner": ["a", "b"]}, event.hash)


def test_stored_events_cannot_be_changed_or_removed_through_the_orm(acme):
    with schema_context("acme"):
        event = audit.record(actor=None, action="evidence.kept")
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(action="nothing.happened")
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()
        with pytest.raises(DatabaseError), transaction.atomic():
            event.action = "nothing.happened"
            event.save()
        assert AuditEvent.objects.get(pk=event.pk).action == "evidence.kept"


# --- the hash chain ----------------------------------------------------------------------


def test_each_event_links_to_the_one_before_it(acme):
    three_events("acme")
    with schema_context("acme"):
        chain = list(AuditEvent.objects.order_by("id"))
    assert chain[0].prev_hash == GENESIS_HASH
    for previous, event in itertools.pairwise(chain):
        assert event.prev_hash == previous.hash
    assert len({event.hash for event in chain}) == len(chain)


def test_each_tenant_has_its_own_chain(acme, globex):
    with schema_context("globex"):
        globex_last = AuditEvent.objects.order_by("-id").first()
        assert globex_last is not None
    three_events("acme")
    [globex_next, *_rest] = three_events("globex")
    assert globex_next.prev_hash == globex_last.hash


def test_intact_chain_verifies(acme):
    three_events("acme")
    with schema_context("acme"):
        report = chain_verify()
        assert report.intact
        assert report.checked == AuditEvent.objects.count()


@pytest.mark.parametrize(
    "tampering",
    [
        "UPDATE audit_auditevent SET action = 'chain.nothing-to-see' WHERE id = %s",
        """UPDATE audit_auditevent SET changes = '{"step": [0, 99]}' WHERE id = %s""",
        "UPDATE audit_auditevent SET actor_label = 'someone else' WHERE id = %s",
        "UPDATE audit_auditevent SET occurred_at = occurred_at - interval '1 day' WHERE id = %s",
    ],
)
def test_altered_event_is_found_at_its_own_id(acme, tampering):
    _first, altered, _last = three_events("acme")
    with trigger_bypassed("acme"):
        execute(tampering, [altered.pk])

    output = verify_broken("--tenant", "acme")
    assert f"acme: BROKEN at event {altered.pk} " in output
    assert "altered" in output


def test_removed_event_is_found_at_the_event_after_it(acme):
    _first, removed, following = three_events("acme")
    with trigger_bypassed("acme"):
        execute("DELETE FROM audit_auditevent WHERE id = %s", [removed.pk])

    output = verify_broken("--tenant", "acme")
    assert f"acme: BROKEN at event {following.pk} " in output
    assert "removed" in output


def test_altered_event_with_a_recomputed_hash_is_found_at_the_next_event(acme):
    _first, altered, following = three_events("acme")
    altered.action = "chain.nothing-to-see"
    with trigger_bypassed("acme"):
        execute(
            "UPDATE audit_auditevent SET action = %s, hash = %s WHERE id = %s",
            [altered.action, altered.compute_hash(audit_key()), altered.pk],
        )

    assert f"acme: BROKEN at event {following.pk} " in verify_broken("--tenant", "acme")


# --- the keyed chain ----------------------------------------------------------------------

WRONG_KEY = b"not-the-audit-key-but-32-bytes!!"


def test_new_events_are_keyed_with_the_audit_key(acme):
    [event, *_rest] = three_events("acme")
    assert event.scheme == AuditEvent.Scheme.HMAC_SHA256
    plain = hashlib.sha256(event.prev_hash.encode() + event.canonical_bytes()).hexdigest()
    keyed = hmac.new(audit_key(), event.prev_hash.encode() + event.canonical_bytes(), hashlib.sha256).hexdigest()
    assert event.hash == keyed != plain


def forged_hash(event: AuditEvent, key: bytes | None) -> str:
    """What an attacker without the audit key can compute: plain sha256 (key None) or HMAC with a key of theirs."""
    message = event.prev_hash.encode() + event.canonical_bytes()
    return hashlib.sha256(message).hexdigest() if key is None else hmac.new(key, message, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("key", [None, WRONG_KEY], ids=["plain-sha256", "hmac-with-a-wrong-key"])
def test_event_rewritten_with_every_later_hash_recomputed_without_the_key_is_found(acme, key):
    """The attacker controls the database, not the key: a consistent rewrite still fails at the altered event."""
    _first, altered, following = three_events("acme")
    altered.action = "chain.nothing-to-see"
    altered.hash = forged_hash(altered, key)
    following.prev_hash = altered.hash
    following.hash = forged_hash(following, key)
    with trigger_bypassed("acme"):
        execute(
            "UPDATE audit_auditevent SET action = %s, hash = %s WHERE id = %s",
            [altered.action, altered.hash, altered.pk],
        )
        execute(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [following.prev_hash, following.hash, following.pk],
        )

    output = verify_broken("--tenant", "acme")
    assert f"acme: BROKEN at event {altered.pk} " in output
    assert "altered" in output


def legacy_chain(schema: str, steps: int) -> list[AuditEvent]:
    """The chain as the unkeyed code wrote it: plain sha256, no scheme in the bytes (the trail is emptied first)."""
    events = []
    with trigger_bypassed(schema):
        execute("DELETE FROM audit_auditevent")
        prev = GENESIS_HASH
        for step in range(1, steps + 1):
            event = AuditEvent(
                actor_label="before keying",
                action=f"legacy.step-{step}",
                changes={"step": [0, step]},
                prev_hash=prev,
                scheme=AuditEvent.Scheme.SHA256,
            )
            event.hash = hashlib.sha256(prev.encode() + event.canonical_bytes()).hexdigest()
            event.save()
            events.append(event)
            prev = event.hash
    return events


def test_unkeyed_prefix_then_the_keying_marker_then_keyed_events_verifies(acme):
    *_older, last_legacy = legacy_chain("acme", 3)
    after = three_events("acme")

    with schema_context("acme"):
        chain = list(AuditEvent.objects.order_by("id"))
        report = chain_verify()
    marker = chain[3]
    assert [event.action for event in chain[:4]] == [*(f"legacy.step-{n}" for n in (1, 2, 3)), CHAIN_KEYED_ACTION]
    assert [event.scheme for event in chain] == [1, 1, 1, 2, 2, 2, 2]
    assert marker.prev_hash == last_legacy.hash
    assert after[0].prev_hash == marker.hash
    assert report.intact and report.checked == 7
    assert verify("--tenant", "acme").startswith("acme: intact, 7 events")


def test_the_keying_marker_is_written_once(acme):
    legacy_chain("acme", 2)
    three_events("acme")
    three_events("acme")
    with schema_context("acme"):
        assert AuditEvent.objects.filter(action=CHAIN_KEYED_ACTION).count() == 1


def test_keyed_events_after_an_unkeyed_prefix_without_the_marker_are_found(acme):
    *_older, last_legacy = legacy_chain("acme", 2)
    with schema_context("acme"):
        forged = AuditEvent(action="chain.no-marker", prev_hash=last_legacy.hash)
        forged.hash = forged.compute_hash(audit_key())
        forged.save()

    output = verify_broken("--tenant", "acme")
    assert f"acme: BROKEN at event {forged.pk} " in output
    assert CHAIN_KEYED_ACTION in output


def test_unkeyed_event_appended_after_the_chain_was_keyed_is_a_downgrade(acme):
    *_rest, last = three_events("acme")
    with schema_context("acme"):
        appended = AuditEvent(action="chain.appended", prev_hash=last.hash, scheme=AuditEvent.Scheme.SHA256)
        appended.hash = forged_hash(appended, None)
        appended.save()  # INSERT is allowed: the attacker needs no trigger bypass to append

    output = verify_broken("--tenant", "acme")
    assert f"acme: BROKEN at event {appended.pk} " in output
    assert "downgrade" in output


def test_keyed_event_rewritten_as_unkeyed_is_a_downgrade(acme):
    _first, _second, last = three_events("acme")
    last.action = "chain.nothing-to-see"
    last.scheme = AuditEvent.Scheme.SHA256
    with trigger_bypassed("acme"):
        execute(
            "UPDATE audit_auditevent SET action = %s, scheme = %s, hash = %s WHERE id = %s",
            [last.action, AuditEvent.Scheme.SHA256, forged_hash(last, None), last.pk],
        )

    output = verify_broken("--tenant", "acme")
    assert f"acme: BROKEN at event {last.pk} " in output
    assert "downgrade" in output


def test_chain_written_under_another_audit_key_does_not_verify(acme, settings):
    settings.ISMS_AUDIT_KEY = base64.b64encode(WRONG_KEY).decode()
    [written_under_other_key, *_rest] = three_events("acme")
    settings.ISMS_AUDIT_KEY = ""

    assert f"acme: BROKEN at event {written_under_other_key.pk} " in verify_broken("--tenant", "acme")


def test_writing_an_event_costs_the_lock_the_head_and_the_insert(acme):
    three_events("acme")
    with schema_context("acme"), CaptureQueriesContext(connection) as queries:
        audit.record(actor=None, action="chain.counted")
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert [s for s in statements if s not in {"SAVEPOINT", "RELEASE", "SET"}] == ["SELECT", "SELECT", "INSERT"]


def test_audit_verify_reports_an_intact_tenant(acme):
    three_events("acme")
    with schema_context("acme"):
        count = AuditEvent.objects.count()
    assert verify("--tenant", "acme").strip() == f"acme: intact, {count} events, 0 anchors checked"


def test_audit_verify_without_a_tenant_checks_every_tenant_and_the_platform(acme, globex):
    output = verify()
    assert "platform (public): intact" in output
    assert "acme: intact" in output
    assert "globex: intact" in output


def test_audit_verify_without_a_tenant_fails_on_one_broken_chain_and_reports_the_rest(acme, globex):
    _first, altered, _last = three_events("globex")
    with trigger_bypassed("globex"):
        execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [altered.pk])

    output = verify_broken()
    assert f"globex: BROKEN at event {altered.pk} " in output
    assert "acme: intact" in output
    assert "platform (public): intact" in output


def test_audit_verify_refuses_an_unknown_tenant(db, worlds):
    with pytest.raises(CommandError, match="There is no tenant with the slug “initech”"):
        verify("--tenant", "initech")


# --- the daily verification task ---------------------------------------------------------


def task_runs(schema: str) -> list[TaskRun]:
    with schema_context(schema):
        return list(TaskRun.objects.filter(task="audit.tasks.audit_chain_verify"))


def test_daily_task_records_an_intact_chain_as_succeeded(acme, globex):
    *_earlier, last = three_events("acme")
    with schema_context("acme"):
        count = AuditEvent.objects.count()
        assert audit_chain_verify.apply().get() is True

    [run] = task_runs("acme")
    assert run.status == TaskRun.Status.SUCCEEDED
    assert run.detail == f"{count} events checked, 0 anchors checked; anchored event {last.pk}"
    assert task_runs("globex") == []


def test_daily_task_records_a_broken_chain_as_failed_with_the_event(acme):
    _first, altered, _last = three_events("acme")
    with trigger_bypassed("acme"):
        execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [altered.pk])
    with schema_context("acme"):
        assert audit_chain_verify.apply().get() is False

    [run] = task_runs("acme")
    assert run.status == TaskRun.Status.FAILED
    assert f"broken at event {altered.pk}: " in run.detail


def test_daily_task_refuses_to_run_without_a_tenant(db, worlds):
    with pytest.raises(PublicSchemaError):
        audit_chain_verify.apply(throw=True)


@pytest.fixture
def tasks_run_in_process() -> Iterator[None]:
    """Tasks sent by a task run here, on the test's connection, instead of on a worker."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


def test_daily_dispatch_verifies_every_active_tenant(acme, globex, tasks_run_in_process):
    Tenant.objects.filter(slug="globex").update(status=Tenant.Status.SUSPENDED)

    assert audit_chain_verify_dispatch.apply().get() == 1

    [run] = task_runs("acme")
    assert run.status == TaskRun.Status.SUCCEEDED
    assert task_runs("globex") == []
