from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from accounts import ownership

        from .models import CorrectiveAction, Incident
        from .services import actions_reassign, incidents_reassign

        ownership.register(Incident, "assignee", reassign=incidents_reassign)
        ownership.register(CorrectiveAction, "owner", reassign=actions_reassign)
