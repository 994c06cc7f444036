"""Writing and verifying the audit chain of the current schema."""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.http import HttpRequest

from core.schemas import current_schema_name

from . import context
from .anchors import RECENT, Anchor, RefusedAnchor, anchor_write, anchors_read
from .keys import audit_key
from .models import CHAIN_KEYED_ACTION, GENESIS_HASH, AuditEvent

# Advisory-lock namespace of audit writes: one lock per schema, so tenants never wait on each other.
_LOCK_NAMESPACE = 0x15A5
# The names of fields that hold secrets, redacted wherever they appear in changes. Named one by one:
# a pattern such as "key|code|pass" also hid key_results, country_code, pass_mark and passed.
SECRET_FIELDS = frozenset(
    {
        # passwords (Django's forms and our own)
        "password",
        "password1",
        "password2",
        "old_password",
        "new_password",
        "new_password1",
        "new_password2",
        "passcode",
        # tokens and secrets
        "secret",
        "client_secret",
        "secret_key",
        "token",
        "api_token",
        "access_token",
        "refresh_token",
        "token_hash",
        "session_key",
        "session_hash",
        # keys (django-otp's TOTP secret is its "key" field; tenant keys are stored wrapped)
        "key",
        "api_key",
        "private_key",
        "signing_key",
        "wrapped_key",
        "data_key",
        "bin_key",
        "totp_key",
        "otp_key",
        "otp_secret",
        "otp_seed",
        "seed",
        # one-time codes
        "otp",
        "otp_token",
        "backup_code",
        "backup_codes",
        "recovery_code",
        "recovery_codes",
        "static_token",
        "static_tokens",
    }
)
REDACTED = "[redacted]"


def redact(changes: Mapping[str, Any]) -> dict[str, Any]:
    return {name: REDACTED if name.lower() in SECRET_FIELDS else value for name, value in changes.items()}


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value differs."""
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def _request_context(request: HttpRequest | None) -> context.RequestContext:
    if request is not None and hasattr(request, "audit_context"):
        return request.audit_context
    return context.current.get() or context.EMPTY


@transaction.atomic
def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
    kind: str = AuditEvent.Kind.CHANGE,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    actor_label: str = "",
    method: str = "",
    path: str = "",
    status: int | None = None,
) -> AuditEvent:
    """Append one event to this schema's chain, in the caller's transaction.

    Writes within one schema are serialised by a transaction-scoped advisory lock, so
    the chain never forks; other schemas take other locks.
    """
    ctx = _request_context(request)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)[:300]
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    with connection.cursor() as cursor:
        # Also let PostgreSQL render the address and changes as it will store them: the hash must
        # cover the stored form ("2001:DB8::1" comes back as "2001:db8::1", 1e16 as 10000000000000000).
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s)), %s::inet, %s::jsonb",
            [
                _LOCK_NAMESPACE,
                current_schema_name(),
                ctx.ip,
                json.dumps(redact(changes or {}), cls=DjangoJSONEncoder),
            ],
        )
        row = cursor.fetchone()
        assert row is not None  # noqa: S101 — type narrowing for mypy, not a runtime check
        _locked, stored_ip, stored_changes = row
    key = audit_key()
    prev_hash, prev_scheme = AuditEvent.objects.order_by("-id").values_list("hash", "scheme").first() or (
        GENESIS_HASH,
        AuditEvent.Scheme.HMAC_SHA256,
    )
    if prev_scheme == AuditEvent.Scheme.SHA256:
        # Once per schema: the chain so far was written before keying; this marker starts the keyed chain.
        prev_hash = _chain_keyed_marker(prev_hash=prev_hash, key=key).hash
    event = AuditEvent(
        kind=kind,
        actor=actor if is_user else None,
        actor_label=(actor_label or (actor.get_username() if is_user else ""))[:254],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label[:300],
        changes=json.loads(stored_changes),
        ip=stored_ip,
        user_agent=ctx.user_agent[:300],
        request_id=ctx.request_id,
        method=method,
        path=path[:500],
        status=status,
        prev_hash=prev_hash,
    )
    event.hash = event.compute_hash(key)
    event.save()
    return event


def _chain_keyed_marker(*, prev_hash: str, key: bytes) -> AuditEvent:
    marker = AuditEvent(
        kind=AuditEvent.Kind.SECURITY,
        actor_label="system",
        action=CHAIN_KEYED_ACTION,
        changes={"scheme": ["sha256", "hmac-sha256"]},
        prev_hash=prev_hash,
    )
    marker.hash = marker.compute_hash(key)
    marker.save()
    return marker


@dataclass(frozen=True)
class ChainReport:
    """What a walk of one chain found: the first break (if any), the head it reached, and the anchors it used."""

    checked: int
    broken_at: int | None = None
    reason: str = ""
    head_id: int | None = None
    head_hash: str = ""
    anchors_checked: int = 0
    anchors_refused: tuple[RefusedAnchor, ...] = ()

    @property
    def intact(self) -> bool:
        return self.broken_at is None

    @property
    def passed(self) -> bool:
        """The chain is intact and no anchor in storage was refused (a refused anchor is tampering too)."""
        return self.intact and not self.anchors_refused


def chain_verify_anchored(*, anchor_limit: int | None = RECENT) -> ChainReport:
    """Verify this schema's chain against its newest ``anchor_limit`` anchors (all of them with None)."""
    reading = anchors_read(schema=current_schema_name(), limit=anchor_limit)
    return replace(chain_verify(anchors=reading.anchors), anchors_refused=tuple(reading.refused))


def chain_anchor(*, report: ChainReport) -> Anchor | None:
    """Anchor the head a verification reached; a broken or empty chain is not anchored (nothing to vouch for)."""
    if not report.intact or report.head_id is None:
        return None
    return anchor_write(schema=current_schema_name(), event_id=report.head_id, event_hash=report.head_hash)


def chain_verify(
    events: Iterable[AuditEvent] | None = None, *, anchors: Sequence[Anchor] = (), key: bytes | None = None
) -> ChainReport:
    """Walk this schema's chain in order; report the first event whose link, content or anchor is wrong.

    An unkeyed (SHA-256) prefix is accepted up to the ``audit.chain_keyed`` marker; after the first
    keyed event an unkeyed one is a break (a downgrade). Every anchor (head hashes kept in object
    storage, see ``audit.anchors``) must name an event that is still there with the same hash.
    """
    if events is None:
        events = AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
    key = audit_key() if key is None else key
    anchored: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        anchored.setdefault(anchor.event_id, []).append(anchor)
    anchor_count = len(anchors)
    expected_prev = GENESIS_HASH
    keyed = False
    checked = 0
    head: AuditEvent | None = None

    def broken(event_id: int, reason: str) -> ChainReport:
        return ChainReport(checked, event_id, reason, anchors_checked=anchor_count)

    for event in events:
        checked += 1
        if event.prev_hash != expected_prev:
            return broken(event.pk, "its link to the previous event is broken (an event was removed)")
        if event.scheme == AuditEvent.Scheme.SHA256:
            if keyed:
                return broken(event.pk, "it is unkeyed although the chain was already keyed (a downgrade)")
        elif not keyed:
            if head is not None and event.action != CHAIN_KEYED_ACTION:
                return broken(event.pk, f"the keyed chain starts without its “{CHAIN_KEYED_ACTION}” marker")
            keyed = True
        if event.compute_hash(key) != event.hash:
            return broken(event.pk, "its content does not match its hash (it was altered)")
        for anchor in anchored.pop(event.pk, []):
            if anchor.hash != event.hash:
                return broken(event.pk, f"its hash differs from the anchor of {anchor.when} (the chain was rewritten)")
        expected_prev = event.hash
        head = event
    if anchored:
        anchor = anchored[max(anchored)][0]
        if head is None or anchor.event_id > head.pk:
            ends = f"ends at event {head.pk}" if head is not None else "is empty"
            return broken(
                anchor.event_id,
                f"the chain {ends} but the anchor of {anchor.when} names event {anchor.event_id} "
                "(the newest events were removed)",
            )
        anchor = anchored[min(anchored)][0]
        return broken(anchor.event_id, f"the event named by the anchor of {anchor.when} is missing (it was removed)")
    return ChainReport(
        checked,
        head_id=head.pk if head is not None else None,
        head_hash=head.hash if head is not None else "",
        anchors_checked=anchor_count,
    )
