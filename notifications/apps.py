from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Reminders and notifications")

    def ready(self) -> None:
        from accounts import signals as account_signals

        from . import kinds
        from .services import ACCOUNT_LOCKED

        kinds.register(ACCOUNT_LOCKED, order=90)

        # Sent by accounts.lockout.login_failure_register: tell the person and the Admins (in-app, queued e-mail).
        account_signals.account_locked.connect(_account_locked, dispatch_uid="notifications_account_locked")


def _account_locked(sender: Any, user: Any, lock: Any, **kwargs: Any) -> None:
    from django_tenants.utils import get_public_schema_name

    from core.schemas import current_schema_name

    from .services import account_locked_notify

    # Operators (public schema) have no notifications app: their lock is in the audit trail only.
    if current_schema_name() != get_public_schema_name():
        account_locked_notify(user=user, until=lock.until, failures=lock.failures, lock_id=lock.pk)
