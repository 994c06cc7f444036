"""Audit: append-only, hash-chained record of every change, security event and access, per tenant."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import AuditEvent


def record(**kwargs: Any) -> "AuditEvent":
    """Write one audit event in the caller's transaction (see ``audit.services.record``)."""
    from .services import record as _record

    return _record(**kwargs)
