from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupsConfig(AppConfig):
    name = "backups"
    verbose_name = _("Backups")

    def ready(self) -> None:
        from core import navigation
        from reviews import feeds
        from tenants import operations

        from .feeds import backups_for_review
        from .operations import tenant_backup_figures
        from .policies import operations_policy

        navigation.ADMIN_CARDS.register(
            "operations",
            navigation.AdminCard(
                _("Backups and restore drills"),
                _("Backups, restore drills against RTO and RPO, failed jobs and worker heartbeat."),
                "operations",
                operations_policy.can_view,
            ),
            order=30,
        )
        feeds.register(
            feeds.Feed(
                section="d",
                key="backups",
                title=_("Backups and restore drills"),
                compute=backups_for_review,
                order=60,
            )
        )
        operations.FIGURES.register("backups", tenant_backup_figures)
