"""Who may see and change security objectives.

Roles: CISO, Security, Management and Auditor read every objective (objectives.view_objective);
CISO and Security create and change them (objectives.add_objective, objectives.change_objective).
Records: an objective's owner reads it and keeps its key results' current values up to date.
"""

from django.db.models import QuerySet

from accounts.models import User
from core.policies import BasePolicy, Person

from .models import Objective


class ObjectivePolicy(BasePolicy):
    def visible(self, user: Person, objectives: QuerySet[Objective]) -> QuerySet[Objective]:
        if not self.active(user):
            return objectives.none()
        if user.has_perm("objectives.view_objective"):
            return objectives
        return objectives.filter(owner=user.pk)

    def can_view(self, user: Person, objective: Objective) -> bool:
        if not self.active(user):
            return False
        return bool(user.has_perm("objectives.view_objective") or objective.owner_id == user.pk)

    def can_view_any(self, user: Person) -> bool:
        """Whether the objectives page has anything for ``user`` (the role, or an objective they own)."""
        if not self.active(user):
            return False
        return bool(user.has_perm("objectives.view_objective") or Objective.objects.filter(owner=user.pk).exists())

    def can_create(self, user: Person) -> bool:
        return self.allows(user, "objectives.add_objective")

    def can_change(self, user: Person, objective: Objective) -> bool:
        """Edit the objective itself and add or remove its key results."""
        return self.allows(user, "objectives.change_objective")

    def can_update_progress(self, user: Person, objective: Objective) -> bool:
        """Record a key result's current value: those who change objectives, and the objective's owner."""
        return self.can_change(user, objective) or (self.active(user) and objective.owner_id == user.pk)

    def owner_of(self, objective: Objective) -> User:
        return objective.owner


objective_policy = ObjectivePolicy()
