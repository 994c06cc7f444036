from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from core import navigation

        from . import receivers  # noqa: F401  (login, logout and failed-login events)
        from .policies import audit_policy

        navigation.ADMIN_CARDS.register(
            "audit",
            navigation.AdminCard(
                _("Audit trail"), _("Who did what, when and from where; export as CSV."), "audit", audit_policy.can_view
            ),
            order=20,
        )
