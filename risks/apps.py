from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("Risks")

    def ready(self) -> None:
        from accounts import ownership
        from sharing import registry

        from .models import Risk, TreatmentAction
        from .policies import risk_policy
        from .services import actions_reassign, risks_reassign

        ownership.register(Risk, "owner", reassign=risks_reassign)
        ownership.register(TreatmentAction, "owner", reassign=actions_reassign)
        registry.register(Risk, risk_policy)
