"""audit.record and the chain: what an event holds, that it lives and dies with the change, per-tenant write order,
and that stored events cannot be changed and any change made around that is found."""

import base64
import datetime as dt
import hashlib
import hmac
import io
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

import audit
from accounts import services as account_services
from accounts.models import Invitation, User
from accounts.roles import Role
from audit.keys import audit_key
from audit.models import CHAIN_KEYED_ACTION, GENESIS_HASH, AuditEvent
from audit.services import chain_verify
from tests.audit.chain import execute, three_events, trigger_bypassed, verify, verify_broken
from tests.conftest import PASSWORD

# Long enough for any write to finish on a loaded machine; only reached when something is wrong.
WAIT = 10.0
# An open write holds the lock well beyond WAIT, so a wrongly blocked write cannot slip through.
HOLD = 6 * WAIT


class _Undo(Exception):
    """Raised to roll back a transaction on purpose."""


def newest(schema: str, **filters: object) -> AuditEvent:
    with schema_context(schema):
        event = AuditEvent.objects.filter(**filters).order_by("-id").first()
    assert event is not None, f"no audit event {filters} in {schema}"
    return event


# --- what one event holds ----------------------------------------------------------------


def test_record_keeps_who_what_which_object_changes_and_when(acme):
    with schema_context("acme"):
        before = timezone.now()
        event = audit.record(
            actor=acme.ciso,
            action="risk.accepted",
            obj=acme.staff,
            changes={"status": ["open", "accepted"], "score": [12, 6]},
        )
        after = timezone.now()
        stored = AuditEvent.objects.get(pk=event.pk)

    assert stored.actor_id == acme.ciso.pk
    assert stored.actor_label == "ciso@acme.example"
    assert stored.action == "risk.accepted"
    assert stored.kind == AuditEvent.Kind.CHANGE
    assert stored.object_type == "accounts.user"
    assert stored.object_id == str(acme.staff.pk)
    assert stored.object_label == "Staff of Acme AB"
    assert stored.changes == {"status": ["open", "accepted"], "score": [12, 6]}
    assert before <= stored.occurred_at <= after


def test_record_outside_a_request_has_no_origin(acme):
    with schema_context("acme"):
        event = audit.record(actor=None, action="system.nightly")
        stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor_id is None
    assert stored.actor_label == ""
    assert stored.ip is None
    assert stored.user_agent == ""
    assert stored.request_id == ""


def test_dates_and_decimals_in_changes_are_stored_as_text(acme):
    closed_at = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)
    with schema_context("acme"):
        event = audit.record(
            actor=acme.ciso,
            action="incident.closed",
            changes={"closed_at": [None, closed_at], "cost": [Decimal("0"), Decimal("1250.50")]},
        )
        stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.changes == {"closed_at": [None, "2025-03-01T09:30:00Z"], "cost": ["0", "1250.50"]}


@pytest.mark.parametrize(
    "field",
    [
        "password",
        "new_password1",
        "api_token",
        "client_secret",
        "signing_key",
        "recovery_code",
        "otp_seed",
        "passcode",
        "key",
        "token_hash",
        "backup_codes",
        "otp_secret",
        "Password",
    ],
)
def test_secret_fields_are_redacted(acme, field):
    with schema_context("acme"):
        event = audit.record(
            actor=acme.admin,
            action="settings.changed",
            changes={field: ["old-s3cret-value", "new-s3cret-value"], "title": ["Old", "New"]},
        )
        stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.changes == {field: "[redacted]", "title": ["Old", "New"]}
    assert "s3cret" not in json.dumps(stored.changes)


@pytest.mark.parametrize(
    "field, value",
    [
        ("key_results", [["Fewer incidents"], ["Fewer incidents", "Faster patching"]]),
        ("passed", [False, True]),
        ("pass_mark", [70, 80]),
        ("country_code", ["SE", "NO"]),
        ("key_id", ["k1", "k2"]),
        ("codename", ["view_risk", "change_risk"]),
    ],
)
def test_ordinary_fields_whose_names_resemble_secrets_stay_visible(acme, field, value):
    with schema_context("acme"):
        event = audit.record(
            actor=acme.admin,
            action="settings.changed",
            changes={field: value, "password": ["old-s3cret-value", "new-s3cret-value"]},
        )
        stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.changes == {field: value, "password": "[redacted]"}


# --- one transaction with the change -----------------------------------------------------


def test_rolled_back_change_leaves_no_event(acme):
    with schema_context("acme"):
        events_before = AuditEvent.objects.count()
        with pytest.raises(_Undo), transaction.atomic():
            account_services.user_create(email="ghost@acme.example", roles=[Role.STAFF], created_by=acme.admin)
            assert AuditEvent.objects.filter(action="user.created", object_label="ghost@acme.example").exists()
            raise _Undo

        assert not User.objects.filter(email="ghost@acme.example").exists()
        assert AuditEvent.objects.count() == events_before


def test_refused_service_call_writes_no_event(acme):
    with schema_context("acme"):
        events_before = AuditEvent.objects.count()
        with pytest.raises(PermissionDenied):
            account_services.user_roles_set(user=acme.external, roles=[Role.ADMIN], by=acme.staff)
        assert AuditEvent.objects.count() == events_before
        assert acme.external.role_names == [Role.EXTERNAL]


# --- the account services write their events ---------------------------------------------


def test_user_create_is_audited_without_the_password(acme):
    with schema_context("acme"):
        user = account_services.user_create(
            email="New.Person@Acme.example",
            full_name="New Person",
            roles=[Role.STAFF],
            password=PASSWORD,
            created_by=acme.admin,
        )
    event = newest("acme", action="user.created")
    assert event.actor_id == acme.admin.pk
    assert (event.object_type, event.object_id, event.object_label) == ("accounts.user", str(user.pk), "New Person")
    assert event.changes == {"roles": [None, ["Staff"]]}
    assert PASSWORD not in json.dumps(event.changes)


def test_user_roles_set_records_old_and_new_roles(acme):
    with schema_context("acme"):
        account_services.user_roles_set(user=acme.staff, roles=[Role.STAFF, Role.AUDITOR], by=acme.admin)
    event = newest("acme", action="user.roles_changed")
    assert event.actor_id == acme.admin.pk
    assert event.object_id == str(acme.staff.pk)
    assert event.changes == {"roles": [["Staff"], ["Auditor", "Staff"]]}


def test_user_roles_set_without_a_change_writes_nothing(acme):
    with schema_context("acme"):
        account_services.user_roles_set(user=acme.staff, roles=[Role.STAFF], by=acme.admin)
        assert not AuditEvent.objects.filter(action="user.roles_changed").exists()


def test_user_deactivate_is_audited(acme):
    with schema_context("acme"):
        account_services.user_deactivate(user=acme.operations, by=acme.admin)
    event = newest("acme", action="user.deactivated")
    assert event.actor_id == acme.admin.pk
    assert event.object_id == str(acme.operations.pk)
    assert event.changes == {"is_active": [True, False]}


def test_invitation_create_is_audited_without_the_link(acme):
    with schema_context("acme"):
        invitation, link = account_services.invitation_create(
            by=acme.admin, email="Invitee@Acme.example", roles=[Role.AUDITOR], host=acme.host
        )
    event = newest("acme", action="invitation.created")
    assert event.actor_id == acme.admin.pk
    assert (event.object_type, event.object_id) == ("accounts.invitation", str(invitation.pk))
    assert event.changes == {"email": [None, "invitee@acme.example"], "roles": [None, ["Auditor"]]}
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert token not in json.dumps(event.changes) + event.object_label


def test_event_written_by_a_service_during_a_request_carries_the_request_origin(acme):
    client = acme.logged_in_client(acme.admin)
    response = client.post(
        "/people/invite/",
        {"email": "via-web@acme.example", "roles": [Role.STAFF]},
        REMOTE_ADDR="198.51.100.20",
        HTTP_USER_AGENT="Firefox/140.0 (audit test)",
    )
    assert response.status_code == 302
    with schema_context("acme"):
        invitation = Invitation.objects.get(email="via-web@acme.example")
    event = newest("acme", action="invitation.created")
    assert event.object_id == str(invitation.pk)
    assert event.ip == "198.51.100.20"
    assert event.user_agent == "Firefox/140.0 (audit test)"
    assert event.request_id == response["X-Request-ID"]


# --- writes are serialised per tenant, and only per tenant -------------------------------


class _Writer:
    """A write in its own thread, database connection and transaction, rolled back at the end.

    Nothing is committed: the session's tenants stay as they were.
    """

    def __init__(self, schema: str, *, hold: threading.Event | None = None) -> None:
        self.schema = schema
        self.hold = hold
        self.written = threading.Event()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "_Writer":
        self.thread.start()
        return self

    def _run(self) -> None:
        try:
            with schema_context(self.schema), transaction.atomic():
                audit.record(actor=None, actor_label="lock test", action="lock.test")
                self.written.set()
                if self.hold is not None:
                    self.hold.wait(HOLD)
                raise _Undo
        except _Undo:
            pass
        except BaseException as error:
            self.errors.append(error)
        finally:
            connection.close()

    def join(self) -> None:
        self.thread.join(HOLD)
        assert not self.thread.is_alive(), f"the write in {self.schema} never finished"
        assert not self.errors, self.errors


def _audit_lock_waiters() -> int:
    """Connections of this test database queued on an audit write lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks JOIN pg_database ON pg_database.oid = pg_locks.database"
            " WHERE datname = current_database() AND locktype = 'advisory' AND classid = %s AND NOT granted",
            [0x15A5],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _eventually(condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def acme_write_in_progress(acme) -> Iterator[threading.Event]:
    """An uncommitted audit write in acme on another connection; set the event to end it."""
    release = threading.Event()
    holder = _Writer("acme", hold=release).start()
    try:
        assert holder.written.wait(WAIT), "the first write in acme did not get through"
        yield release
    finally:
        release.set()
        holder.join()


def test_write_in_another_tenant_does_not_wait_for_an_open_write(acme_write_in_progress, globex):
    other_tenant = _Writer("globex").start()
    assert other_tenant.written.wait(WAIT), "a write in globex waited for acme's open transaction"
    other_tenant.join()


def test_second_write_in_the_same_tenant_waits_until_the_first_ends(acme_write_in_progress):
    second = _Writer("acme").start()
    try:
        assert _eventually(lambda: _audit_lock_waiters() == 1), "the second write never queued on acme's lock"
        assert not second.written.is_set()
    finally:
        acme_write_in_progress.set()
    assert second.written.wait(WAIT), "the second write stayed blocked after the first ended"
    second.join()


def test_large_numbers_in_changes_keep_the_chain_intact(acme):
    with schema_context("acme"):
        audit.record(actor=acme.ciso, action="budget.set", changes={"budget": [None, 1e16]})
    call_command("audit_verify", "--tenant", "acme", stdout=io.StringIO())


WRONG_KEY = b"not-the-audit-key-but-32-bytes!!"


def forged_hash(event: AuditEvent, key: bytes | None) -> str:
    """What an attacker without the audit key can compute: plain sha256 (key None) or HMAC with a key of theirs."""
    message = event.prev_hash.encode() + event.canonical_bytes()
    return hashlib.sha256(message).hexdigest() if key is None else hmac.new(key, message, hashlib.sha256).hexdigest()


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


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
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


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
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


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_each_event_links_to_the_one_before_it(acme):
    three_events("acme")
    with schema_context("acme"):
        chain = list(AuditEvent.objects.order_by("id"))
    assert chain[0].prev_hash == GENESIS_HASH
    for previous, event in itertools.pairwise(chain):
        assert event.prev_hash == previous.hash
    assert len({event.hash for event in chain}) == len(chain)


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_each_tenant_has_its_own_chain(acme, globex):
    with schema_context("globex"):
        globex_last = AuditEvent.objects.order_by("-id").first()
        assert globex_last is not None
    three_events("acme")
    [globex_next, *_rest] = three_events("globex")
    assert globex_next.prev_hash == globex_last.hash


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_intact_chain_verifies(acme):
    three_events("acme")
    with schema_context("acme"):
        report = chain_verify()
        assert report.intact
        assert report.checked == AuditEvent.objects.count()


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
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


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_removed_event_is_found_at_the_event_after_it(acme):
    _first, removed, following = three_events("acme")
    with trigger_bypassed("acme"):
        execute("DELETE FROM audit_auditevent WHERE id = %s", [removed.pk])

    output = verify_broken("--tenant", "acme")
    assert f"acme: BROKEN at event {following.pk} " in output
    assert "removed" in output


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_altered_event_with_a_recomputed_hash_is_found_at_the_next_event(acme):
    _first, altered, following = three_events("acme")
    altered.action = "chain.nothing-to-see"
    with trigger_bypassed("acme"):
        execute(
            "UPDATE audit_auditevent SET action = %s, hash = %s WHERE id = %s",
            [altered.action, altered.compute_hash(audit_key()), altered.pk],
        )

    assert f"acme: BROKEN at event {following.pk} " in verify_broken("--tenant", "acme")


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_new_events_are_keyed_with_the_audit_key(acme):
    [event, *_rest] = three_events("acme")
    assert event.scheme == AuditEvent.Scheme.HMAC_SHA256
    plain = hashlib.sha256(event.prev_hash.encode() + event.canonical_bytes()).hexdigest()
    keyed = hmac.new(audit_key(), event.prev_hash.encode() + event.canonical_bytes(), hashlib.sha256).hexdigest()
    assert event.hash == keyed != plain


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
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


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
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


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_the_keying_marker_is_written_once(acme):
    legacy_chain("acme", 2)
    three_events("acme")
    three_events("acme")
    with schema_context("acme"):
        assert AuditEvent.objects.filter(action=CHAIN_KEYED_ACTION).count() == 1


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_keyed_events_after_an_unkeyed_prefix_without_the_marker_are_found(acme):
    *_older, last_legacy = legacy_chain("acme", 2)
    with schema_context("acme"):
        forged = AuditEvent(action="chain.no-marker", prev_hash=last_legacy.hash)
        forged.hash = forged.compute_hash(audit_key())
        forged.save()

    output = verify_broken("--tenant", "acme")
    assert f"acme: BROKEN at event {forged.pk} " in output
    assert CHAIN_KEYED_ACTION in output


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_unkeyed_event_appended_after_the_chain_was_keyed_is_a_downgrade(acme):
    *_rest, last = three_events("acme")
    with schema_context("acme"):
        appended = AuditEvent(action="chain.appended", prev_hash=last.hash, scheme=AuditEvent.Scheme.SHA256)
        appended.hash = forged_hash(appended, None)
        appended.save()  # INSERT is allowed: the attacker needs no trigger bypass to append

    output = verify_broken("--tenant", "acme")
    assert f"acme: BROKEN at event {appended.pk} " in output
    assert "downgrade" in output


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
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


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_chain_written_under_another_audit_key_does_not_verify(acme, settings):
    settings.ISMS_AUDIT_KEY = base64.b64encode(WRONG_KEY).decode()
    [written_under_other_key, *_rest] = three_events("acme")
    settings.ISMS_AUDIT_KEY = ""

    assert f"acme: BROKEN at event {written_under_other_key.pk} " in verify_broken("--tenant", "acme")


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_writing_an_event_costs_the_lock_the_head_and_the_insert(acme):
    three_events("acme")
    with schema_context("acme"), CaptureQueriesContext(connection) as queries:
        audit.record(actor=None, action="chain.counted")
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert [s for s in statements if s not in {"SAVEPOINT", "RELEASE", "SET"}] == ["SELECT", "SELECT", "INSERT"]
