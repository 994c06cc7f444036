from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from accounts import ownership
        from core import navigation
        from notifications import kinds
        from notifications.services import producer_register
        from reviews import escalation, feeds
        from tenants import demo as tenant_demo

        from . import demo
        from .feeds import corrective_actions_for_review, incidents_for_review
        from .models import CorrectiveAction, Incident
        from .reminders import BREACH_DEADLINE, CORRECTIVE_ACTION, breach_deadlines, corrective_actions_due
        from .services import actions_reassign, incident_report, incidents_reassign

        navigation.AREAS.register(
            "incidents",
            navigation.Area(
                "incidents",
                _("Incidents"),
                _(
                    "Security, operational and privacy incidents with their timeline, corrective actions and "
                    "breach clocks."
                ),
                "incidents",
            ),
            order=20,
        )
        ownership.register(Incident, "assignee", reassign=incidents_reassign)
        escalation.REPORTERS.register(escalation.INCIDENT, incident_report)
        ownership.register(CorrectiveAction, "owner", reassign=actions_reassign)
        kinds.register(BREACH_DEADLINE, order=30)
        kinds.register(CORRECTIVE_ACTION, order=31)
        producer_register(breach_deadlines)
        producer_register(corrective_actions_due)
        feeds.register(
            feeds.Feed(section="d", key="incidents", title=_("Incidents"), compute=incidents_for_review, order=10)
        )
        feeds.register(
            feeds.Feed(
                section="d",
                key="corrective_actions",
                title=_("Corrective actions"),
                compute=corrective_actions_for_review,
                order=20,
            )
        )
        tenant_demo.DEMO_DATA.register("incidents", demo.demo_ensure, order=20)
