from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from core import navigation

        from .policies import people_policy, tenant_settings_policy

        # Sent by Django's login(): fix the session's absolute end and fresh-authentication time (accounts.sessions).
        user_logged_in.connect(_logged_in, dispatch_uid="accounts_session_start")
        navigation.ADMIN_CARDS.register(
            "people",
            navigation.AdminCard(
                _("People"),
                _("Invite people, assign roles, deactivate and offboard."),
                "people",
                people_policy.can_view,
            ),
            order=10,
        )
        navigation.ADMIN_CARDS.register(
            "security_settings",
            navigation.AdminCard(
                _("Security settings"),
                _("Require two-factor authentication for everyone in the organisation."),
                "security_settings",
                tenant_settings_policy.can_change,
            ),
            order=40,
        )
        navigation.ADMIN_CARDS.register(
            "profile",
            navigation.AdminCard(
                _("Your profile"),
                _("Password, two-factor authentication, backup codes and your recent logins."),
                "profile",
            ),
            order=50,
        )


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from .sessions import session_start

    if request is not None and hasattr(request, "session"):
        session_start(request)
