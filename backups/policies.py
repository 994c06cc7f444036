"""Who sees the backups and restore drills page and may start a restore drill: Admin and CISO."""

from core.policies import BasePolicy, Person

from .models import BackupRecord


class OperationsPolicy(BasePolicy):
    def can_view(self, user: Person) -> bool:
        return self.allows(user, "backups.view_backuprecord")

    def can_run_drill(self, user: Person) -> bool:
        return self.allows(user, "backups.add_restoredrill")

    def can_drill_from(self, user: Person, backup: BackupRecord | None) -> bool:
        """Offer a drill now: to those who run drills, when there is a good backup to restore."""
        return backup is not None and backup.status == BackupRecord.Status.SUCCEEDED and self.can_run_drill(user)


operations_policy = OperationsPolicy()
