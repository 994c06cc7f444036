from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = _("Sharing")

    def ready(self) -> None:
        from accounts import ownership
        from notifications import kinds
        from notifications.services import producer_register

        from .reminders import SHARE_EXPIRING, share_reminders
        from .services import shares_revoke_for_user

        kinds.register(SHARE_EXPIRING, order=20)
        producer_register(share_reminders, order=20)

        if shares_revoke_for_user not in ownership.SHARE_REVOKERS:
            ownership.SHARE_REVOKERS.append(shares_revoke_for_user)
