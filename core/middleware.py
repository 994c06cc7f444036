"""Request middleware of the portal."""

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


class TenantStatusMiddleware:
    """A tenant being restored shows a maintenance page; a suspended one says so. Health checks pass."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        status = getattr(getattr(request, "tenant", None), "status", "active")
        if status in ("maintenance", "suspended") and not request.path.startswith(("/healthz", "/static/")):
            response = render(request, "core/unavailable.html", {"status": status}, status=503)
            response["Retry-After"] = "300"
            return response
        return self.get_response(request)


class TenantTimezoneMiddleware:
    """Show times in the tenant's time zone (stored in UTC, default Europe/Stockholm)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tz_name = getattr(getattr(request, "tenant", None), "time_zone", "")
        try:
            timezone.activate(zoneinfo.ZoneInfo(tz_name)) if tz_name else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)
