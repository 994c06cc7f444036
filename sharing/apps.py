from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = _("Sharing")

    def ready(self) -> None:
        from accounts import ownership

        from .services import shares_revoke_for_user

        if shares_revoke_for_user not in ownership.SHARE_REVOKERS:
            ownership.SHARE_REVOKERS.append(shares_revoke_for_user)
