"""Who may read the audit trail: Admin, CISO and Auditor (the role permission audit.view_auditevent)."""

from core.policies import BasePolicy, Person


class AuditPolicy(BasePolicy):
    def can_view(self, user: Person) -> bool:
        return self.allows(user, "audit.view_auditevent")


audit_policy = AuditPolicy()
