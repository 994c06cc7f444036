from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectivesConfig(AppConfig):
    name = "objectives"
    verbose_name = _("Security objectives")

    def ready(self) -> None:
        from accounts import ownership
        from reviews import feeds
        from risks import related

        from .feeds import objectives_for_review
        from .models import Objective
        from .policies import objective_policy
        from .services import objectives_reassign

        ownership.register(Objective, "owner", reassign=objectives_reassign)
        related.PERMISSIONS.register(related.OBJECTIVES_CREATE, objective_policy.can_create)
        feeds.register(
            feeds.Feed(
                section="d",
                key="objectives",
                title=_("Security objectives"),
                compute=objectives_for_review,
                order=50,
            )
        )
