from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ControlsConfig(AppConfig):
    name = "controls"
    verbose_name = _("Statement of Applicability")

    def ready(self) -> None:
        from accounts import ownership
        from risks import related

        from .models import Control
        from .policies import control_policy
        from .services import controls_reassign

        ownership.register(Control, "owner", reassign=controls_reassign)
        related.PERMISSIONS.register(related.CONTROLS_VIEW, control_policy.can_view)
