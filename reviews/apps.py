from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Management reviews")

    def ready(self) -> None:
        from accounts import ownership
        from core import navigation
        from notifications import kinds
        from notifications.services import producer_register
        from tenants import demo as tenant_demo

        from . import demo, sources
        from .models import ActionItem
        from .reminders import REVIEW_ACTION, review_actions_due
        from .services import actions_reassign

        navigation.AREAS.register(
            "reviews",
            navigation.Area(
                "reviews",
                _("Reviews"),
                _("ISMS management review meetings (ISO/IEC 27001 §9.3) and the fortnightly security standing item."),
                "reviews",
            ),
            order=30,
        )
        ownership.register(ActionItem, "owner", reassign=actions_reassign)
        kinds.register(REVIEW_ACTION, order=40)
        producer_register(review_actions_due)
        sources.register()
        tenant_demo.DEMO_DATA.register("reviews", demo.demo_ensure, order=30)
