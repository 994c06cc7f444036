"""Who may read and edit the Statement of Applicability: a matter of role alone.

Every control belongs to the whole organisation, so there are no owners' object permissions
or shares here; the owner named on a control is accountable for it, not its gatekeeper.
"""

from django.db.models import QuerySet

from core.policies import BasePolicy, Person

from .models import Control


class ControlPolicy(BasePolicy):
    def visible(self, user: Person, controls: QuerySet[Control]) -> QuerySet[Control]:
        if not self.active(user) or not user.has_perm("controls.view_control"):
            return controls.none()
        return controls

    def can_view(self, user: Person, control: Control | None = None) -> bool:
        """Whether ``user`` reads the SoA (every control in it, so ``control`` changes nothing)."""
        return self.allows(user, "controls.view_control")

    def can_change(self, user: Person, control: Control | None = None) -> bool:
        return self.can_view(user, control) and user.has_perm("controls.change_control")


control_policy = ControlPolicy()
