from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("Risks")

    def ready(self) -> None:
        from accounts import ownership
        from core import navigation
        from notifications import kinds
        from notifications.services import producer_register
        from reviews import feeds
        from sharing import registry
        from tenants import demo as tenant_demo

        from . import demo
        from .feeds import risks_for_review
        from .models import Risk, TreatmentAction
        from .policies import risk_policy
        from .reminders import ANALYSIS_DEADLINE, RISK_REVIEW, TREATMENT_ACTION, risk_reminders
        from .services import actions_reassign, risks_reassign

        ownership.register(Risk, "owner", reassign=risks_reassign)
        ownership.register(TreatmentAction, "owner", reassign=actions_reassign)
        registry.register(Risk, risk_policy)
        kinds.register(RISK_REVIEW, order=11)
        kinds.register(TREATMENT_ACTION, order=12)
        kinds.register(ANALYSIS_DEADLINE, order=13)
        producer_register(risk_reminders, order=10)
        navigation.AREAS.register(
            "risks",
            navigation.Area(
                "risks",
                _("Risks"),
                _(
                    "Risk register, semiannual risk analyses, treatment plans, objectives and the Statement of "
                    "Applicability."
                ),
                "risks",
            ),
            order=10,
        )
        feeds.register(
            feeds.Feed(section="f", key="risks", title=_("Risk assessment and treatment"), compute=risks_for_review)
        )
        tenant_demo.DEMO_DATA.register("risks", demo.demo_ensure, order=10)
