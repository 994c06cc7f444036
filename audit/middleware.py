"""Gives every request an id and its origin, and logs every authenticated access."""

import uuid
from collections.abc import Callable
from typing import cast

from django.http import HttpRequest, HttpResponse

from core.forwarding import client_address
from core.http import TenantHttpRequest

from . import context
from .models import AuditEvent
from .services import record

_NOT_LOGGED_PREFIXES = ("/static/", "/healthz", "/favicon")
_SECRET_URL_PARTS = ("token", "uidb64")


def client_ip(request: HttpRequest) -> str | None:
    """The address written into the audit trail and counted by the lockout (see ``core.forwarding``)."""
    return client_address(request)


class AuditMiddleware:
    """Place after authentication: "all access is personally identifiable and logged"."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ctx = context.RequestContext(
            request_id=uuid.uuid4().hex,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )
        cast(TenantHttpRequest, request).audit_context = ctx
        token = context.current.set(ctx)
        try:
            response = self.get_response(request)
        finally:
            context.current.reset(token)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(_NOT_LOGGED_PREFIXES):
            path = request.get_full_path()
            match = getattr(request, "resolver_match", None)
            for name in _SECRET_URL_PARTS:
                value = match.kwargs.get(name) if match else None
                if value:
                    # One-time links must not become readable in the audit viewer.
                    path = path.replace(str(value), "[redacted]")
            obj = getattr(request, "audit_object", None)
            record(
                actor=user,
                action="access",
                kind=AuditEvent.Kind.ACCESS,
                obj=obj,
                request=request,
                method=(request.method or "")[:8],
                path=path,
                status=response.status_code,
            )
        response["X-Request-ID"] = ctx.request_id
        return response
