from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        # Sent by Django's login(): fix the session's absolute end and fresh-authentication time (accounts.sessions).
        user_logged_in.connect(_logged_in, dispatch_uid="accounts_session_start")


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from .sessions import session_start

    if request is not None and hasattr(request, "session"):
        session_start(request)
