"""Who sees the operations page and may start a restore drill: Admin and CISO."""

from typing import Any


class OperationsPolicy:
    def can_view(self, user: Any) -> bool:
        return bool(getattr(user, "is_authenticated", False) and user.has_perm("backups.view_backuprecord"))

    def can_run_drill(self, user: Any) -> bool:
        return bool(getattr(user, "is_authenticated", False) and user.has_perm("backups.add_restoredrill"))


operations_policy = OperationsPolicy()
