"""Who sees the operations page and may start a restore drill: Admin and CISO."""

from core.policies import BasePolicy, Person


class OperationsPolicy(BasePolicy):
    def can_view(self, user: Person) -> bool:
        return self.allows(user, "backups.view_backuprecord")

    def can_run_drill(self, user: Person) -> bool:
        return self.allows(user, "backups.add_restoredrill")


operations_policy = OperationsPolicy()
