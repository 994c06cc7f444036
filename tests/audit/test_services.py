"""audit.record: what an event holds, that it lives and dies with the change, and per-tenant write order."""

import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

import audit
from accounts import services as account_services
from accounts.models import Invitation, User
from accounts.roles import Role
from audit.models import AuditEvent
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
