"""How long a session holds: its absolute lifetime, its idle timeout, and how recently its person proved who they are.

- Absolute: ``SESSION_COOKIE_AGE`` from the login, fixed then (later writes to the session do not extend it).
- Idle: a session unused for the tenant's idle timeout (``Tenant.session_idle_timeout``) is logged out at its
  next request (``SessionIdleMiddleware``), audited.
- Re-authentication: sensitive actions (``reauth_required``) need the password, and the second factor when the
  person has a confirmed device, given within ``ISMS_REAUTH_MINUTES``; otherwise the re-authentication page,
  which returns to where the person was.
"""

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import logout as auth_logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

import audit
from audit.models import AuditEvent

from . import lockout, twofactor
from .models import LoginRecord, User

LAST_ACTIVITY_KEY = "_isms_last_activity"
AUTHENTICATED_AT_KEY = "_isms_authenticated_at"
# The last-activity stamp is rewritten at most this often (not a session write per request).
TOUCH_EVERY = timedelta(seconds=60)


def _stamp(request: HttpRequest, key: str) -> datetime | None:
    value = request.session.get(key)
    if not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, tz=timezone.get_current_timezone())


def session_start(request: HttpRequest) -> None:
    """At a login: fix the session's absolute end, and count the login as a fresh authentication."""
    now = timezone.now()
    request.session.set_expiry(now + timedelta(seconds=settings.SESSION_COOKIE_AGE))
    request.session[LAST_ACTIVITY_KEY] = now.timestamp()
    request.session[AUTHENTICATED_AT_KEY] = now.timestamp()


def idle_timeout(request: HttpRequest) -> timedelta:
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return timedelta(minutes=settings.ISMS_SESSION_IDLE_MINUTES)
    return tenant.session_idle_timeout


def session_is_idle(request: HttpRequest) -> bool:
    last = _stamp(request, LAST_ACTIVITY_KEY)
    return last is not None and timezone.now() - last > idle_timeout(request)


def session_touch(request: HttpRequest) -> None:
    now = timezone.now()
    last = _stamp(request, LAST_ACTIVITY_KEY)
    if last is None or now - last >= TOUCH_EVERY:
        request.session[LAST_ACTIVITY_KEY] = now.timestamp()


@transaction.atomic
def session_end_idle(*, request: HttpRequest) -> None:
    """Log out a session left unused past the idle timeout (audited; the person's login record ends)."""
    user = cast(User, request.user)  # login_required
    last = _stamp(request, LAST_ACTIVITY_KEY)
    audit.record(
        actor=user,
        action="auth.session_idle_logout",
        obj=user,
        request=request,
        kind=AuditEvent.Kind.SECURITY,
        changes={"last_activity": [last, None]},
    )
    key = request.session.session_key
    if key:
        LoginRecord.objects.filter(user=user, session_key=key, ended_at=None).update(ended_at=timezone.now())
    auth_logout(request)


def authentication_is_fresh(request: HttpRequest) -> bool:
    at = _stamp(request, AUTHENTICATED_AT_KEY)
    return at is not None and timezone.now() - at <= timedelta(minutes=settings.ISMS_REAUTH_MINUTES)


def reauthentication_needs_code(user: User) -> bool:
    return twofactor.has_confirmed_device(user)


@transaction.atomic
def reauthenticate(*, request: HttpRequest, password: str, code: str = "") -> bool:
    """The person gives their password again (and a second-factor code if they have a device); audited.

    The password goes through the login backends, so wrong ones count towards the lockouts like a login's.
    """
    user = cast(User, request.user)
    if authenticate(request, username=user.email, password=password) != user:
        audit.record(
            actor=user,
            action="auth.reauthentication_failed",
            obj=user,
            request=request,
            kind=AuditEvent.Kind.SECURITY,
            changes={"failed": [None, "password"]},
        )
        lockout.login_failure_register(email=user.email, request=request)
        return False
    if reauthentication_needs_code(user) and not twofactor.verify(request=request, user=user, code=code):
        return False
    request.session[AUTHENTICATED_AT_KEY] = timezone.now().timestamp()
    audit.record(actor=user, action="auth.reauthenticated", obj=user, request=request, kind=AuditEvent.Kind.SECURITY)
    return True


def reauth_required(view: Callable[..., HttpResponse] | None = None, *, only_post: bool = False) -> Any:
    """A sensitive view: without an authentication in the last ``ISMS_REAUTH_MINUTES`` the person is sent to the
    re-authentication page first, which brings them back here. ``only_post``: reading the page needs none."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            needed = request.method == "POST" or not only_post
            if needed and request.user.is_authenticated and not authentication_is_fresh(request):
                target = reverse("reauthenticate", urlconf=getattr(request, "urlconf", None))
                return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


class SessionIdleMiddleware:
    """Place after authentication and the audit middleware: logs out a session idle past the tenant's timeout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(("/static/", "/healthz")):
            if session_is_idle(request):
                session_end_idle(request=request)
                login = reverse("login", urlconf=getattr(request, "urlconf", None))
                return HttpResponseRedirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
            session_touch(request)
        return self.get_response(request)
