"""Password guessing: django-axes locks one account on one address; this module locks an account on every address.

``ISMS_ACCOUNT_FAILURE_LIMIT`` failed logins within ``ISMS_ACCOUNT_FAILURE_WINDOW`` (counted from the tenant's
audit trail, where every failed login is written) lock the account for ``ISMS_ACCOUNT_LOCK_COOLOFF``, whatever
the addresses; the person and the tenant's Admins are told (``signals.account_locked``), and an Admin may clear
the lock on the person's page.
"""

from datetime import datetime
from typing import Any, cast

from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from audit.models import AuditEvent
from core.http import TenantHttpRequest

from . import signals
from .models import AccountLock, User
from .policies import people_policy


def username_from_request(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """What django-axes counts failures against: the e-mail address as the person typed it, normalised."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(value).strip().lower()


def account_lock_active(user: User, *, now: datetime | None = None) -> AccountLock | None:
    now = now or timezone.now()
    return AccountLock.objects.filter(user=user, cleared_at=None, until__gt=now).order_by("-locked_at").first()


def _failures_since(email: str, since: datetime) -> int:
    return AuditEvent.objects.filter(action="auth.login_failed", object_label=email, occurred_at__gte=since).count()


@transaction.atomic
def login_failure_register(*, email: str, request: HttpRequest | None = None) -> AccountLock | None:
    """After a failed login (already audited): lock the account when the failures from all addresses reach the limit.

    Failures before the end of the previous lock do not count again. Returns the new lock, or None.
    """
    email = email.strip().lower()
    user = User.objects.select_for_update().filter(email=email).first()
    if user is None:
        return None
    now = timezone.now()
    latest = AccountLock.objects.filter(user=user).order_by("-locked_at").first()
    if latest is not None and latest.is_active(now):
        return None
    since = now - settings.ISMS_ACCOUNT_FAILURE_WINDOW
    if latest is not None and latest.ended_at > since:
        since = latest.ended_at
    failures = _failures_since(email, since)
    if failures < settings.ISMS_ACCOUNT_FAILURE_LIMIT:
        return None
    lock = AccountLock.objects.create(
        user=user, locked_at=now, until=now + settings.ISMS_ACCOUNT_LOCK_COOLOFF, failures=failures
    )
    audit.record(
        actor=None,
        actor_label=email,
        action="auth.account_locked",
        obj=user,
        request=request,
        kind=AuditEvent.Kind.SECURITY,
        changes={"locked_until": [None, lock.until], "failures": [None, failures]},
    )
    # Heard by notifications/apps.py: the person and the Admins are told in-app and by queued e-mail.
    signals.account_locked.send(sender=AccountLock, user=user, lock=lock)
    return lock


@transaction.atomic
def account_lock_clear(*, user: User, by: User) -> AccountLock:
    """An Admin lets the person log in again before the cool-off ends (the per-address locks too)."""
    if not people_policy.can_manage(by):
        raise PermissionDenied
    lock = account_lock_active(user)
    if lock is None:
        raise ValidationError(_("This account is not locked."))
    lock.clear()
    lock.cleared_by = by
    lock.save(update_fields=["cleared_at", "cleared_by"])
    axes_reset(username=user.email)
    audit.record(
        actor=by,
        action="auth.account_unlocked",
        obj=user,
        kind=AuditEvent.Kind.SECURITY,
        changes={"locked_until": [lock.until, None]},
    )
    return lock


class AccountLockBackend:
    """Refuses every login, the right password included, of a locked account (after axes' backend, before Django's).

    The locked-out page is django-axes' (its middleware answers any request marked ``axes_locked_out``).
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None or not username:
            return None
        user = User.objects.filter(email=username.strip().lower()).first()
        if user is not None and account_lock_active(user) is not None:
            marked = cast(TenantHttpRequest, request)
            marked.axes_locked_out = True
            marked.account_locked = True
            raise PermissionDenied
        return None

    def get_user(self, user_id: Any) -> None:
        return None
