"""Writing and verifying the audit chain of the current schema."""

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.http import HttpRequest

from core.schemas import current_schema_name

from . import context
from .models import GENESIS_HASH, AuditEvent

# Advisory-lock namespace of audit writes: one lock per schema, so tenants never wait on each other.
_LOCK_NAMESPACE = 0x15A5
_SECRET_FIELD = re.compile(r"pass(word)?|secret|token|key|otp|code", re.IGNORECASE)
REDACTED = "[redacted]"


def redact(changes: Mapping[str, Any]) -> dict[str, Any]:
    return {name: REDACTED if _SECRET_FIELD.search(name) else value for name, value in changes.items()}


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
    prev_hash = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH
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
    event.hash = event.compute_hash()
    event.save()
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def chain_verify(events: Iterable[AuditEvent] | None = None) -> ChainReport:
    """Walk this schema's chain in order; report the first event whose link or content is wrong."""
    if events is None:
        events = AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
    expected_prev = GENESIS_HASH
    checked = 0
    for event in events:
        checked += 1
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.pk, "its link to the previous event is broken (an event was removed)")
        if event.compute_hash() != event.hash:
            return ChainReport(checked, event.pk, "its content does not match its hash (it was altered)")
        expected_prev = event.hash
    return ChainReport(checked)
