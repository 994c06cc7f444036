"""Who may read the audit trail: Admin, CISO and Auditor (the role permission audit.view_auditevent)."""

from typing import Any


class AuditPolicy:
    def can_view(self, user: Any) -> bool:
        return bool(user.is_authenticated and user.is_active and user.has_perm("audit.view_auditevent"))


audit_policy = AuditPolicy()
