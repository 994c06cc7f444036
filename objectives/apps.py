from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectivesConfig(AppConfig):
    name = "objectives"
    verbose_name = _("Security objectives")

    def ready(self) -> None:
        from accounts import ownership

        from .models import Objective
        from .services import objectives_reassign

        ownership.register(Objective, "owner", reassign=objectives_reassign)
