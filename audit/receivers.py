"""Authentication signals become security events (the only hook Django and axes offer for them)."""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from .models import AuditEvent
from .services import record


# Sent by Django's login(): a security event in the tenant's audit trail.
@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record(actor=user, action="auth.login", obj=user, request=request, kind=AuditEvent.Kind.SECURITY)


# Sent by Django's logout(): a security event.
@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(actor=user, action="auth.logout", obj=user, request=request, kind=AuditEvent.Kind.SECURITY)


# Sent by Django's authenticate() when no backend accepts: a security event naming the login tried.
@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    username = str(credentials.get("username") or credentials.get("email") or "")[:254]
    record(
        actor=None,
        actor_label=username,
        action="auth.login_failed",
        request=request,
        kind=AuditEvent.Kind.SECURITY,
        object_type="accounts.user",
        object_label=username,
    )


# Sent by django-axes when it locks an address out: a security event.
@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _locked_out(sender: Any, request: HttpRequest, username: str, ip_address: str, **kwargs: Any) -> None:
    record(
        actor=None,
        actor_label=username or "",
        action="auth.locked_out",
        request=request,
        kind=AuditEvent.Kind.SECURITY,
        object_type="accounts.user",
        object_label=username or "",
        changes={"ip": ip_address},
    )
