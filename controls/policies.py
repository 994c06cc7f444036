"""Who may read and edit the Statement of Applicability: a matter of role alone.

Every control belongs to the whole organisation, so there are no owners' object permissions
or shares here; the owner named on a control is accountable for it, not its gatekeeper.
"""

from typing import Any

from django.db.models import QuerySet

from .models import Control


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


class ControlPolicy:
    def visible(self, user: Any, controls: QuerySet[Control]) -> QuerySet[Control]:
        if not _active(user) or not user.has_perm("controls.view_control"):
            return controls.none()
        return controls

    def can_view(self, user: Any, control: Control | None = None) -> bool:
        """Whether ``user`` reads the SoA (every control in it, so ``control`` changes nothing)."""
        return _active(user) and user.has_perm("controls.view_control")

    def can_change(self, user: Any, control: Control | None = None) -> bool:
        return self.can_view(user, control) and user.has_perm("controls.change_control")


control_policy = ControlPolicy()
