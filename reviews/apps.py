from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Management reviews")

    def ready(self) -> None:
        from accounts import ownership
        from notifications.services import producer_register

        from . import sources
        from .models import ActionItem
        from .reminders import review_actions_due
        from .services import actions_reassign

        ownership.register(ActionItem, "owner", reassign=actions_reassign)
        producer_register(review_actions_due)
        sources.register()
