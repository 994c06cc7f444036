"""Who may see and change security objectives.

Roles: CISO, Security, Management and Auditor read every objective (objectives.view_objective);
CISO and Security create and change them (objectives.add_objective, objectives.change_objective).
Records: an objective's owner reads it and keeps its key results' current values up to date.
"""

from typing import Any

from django.db.models import QuerySet

from .models import Objective


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


class ObjectivePolicy:
    def visible(self, user: Any, objectives: QuerySet[Objective]) -> QuerySet[Objective]:
        if not _active(user):
            return objectives.none()
        if user.has_perm("objectives.view_objective"):
            return objectives
        return objectives.filter(owner=user)

    def can_view(self, user: Any, objective: Objective) -> bool:
        if not _active(user):
            return False
        return bool(user.has_perm("objectives.view_objective") or objective.owner_id == user.pk)

    def can_view_any(self, user: Any) -> bool:
        """Whether the objectives page has anything for ``user`` (the role, or an objective they own)."""
        if not _active(user):
            return False
        return bool(user.has_perm("objectives.view_objective") or Objective.objects.filter(owner=user).exists())

    def can_create(self, user: Any) -> bool:
        return _active(user) and user.has_perm("objectives.add_objective")

    def can_change(self, user: Any, objective: Objective) -> bool:
        """Edit the objective itself and add or remove its key results."""
        return _active(user) and user.has_perm("objectives.change_objective")

    def can_update_progress(self, user: Any, objective: Objective) -> bool:
        """Record a key result's current value: those who change objectives, and the objective's owner."""
        return self.can_change(user, objective) or (_active(user) and objective.owner_id == user.pk)

    def owner_of(self, objective: Objective) -> Any:
        return objective.owner


objective_policy = ObjectivePolicy()
