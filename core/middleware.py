"""Request middleware of the portal."""

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control


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


class PrivateNoStoreMiddleware:
    """Nothing answered to a signed-in person is kept by a browser or a shared cache: pages, exports
    (CSV/XLSX of risks, audit events, people) and redirects alike. Anonymous pages keep their defaults;
    static files are answered by WhiteNoise before this runs and keep theirs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_in = request.user.is_authenticated  # before the view: logging out still counts
        response = self.get_response(request)
        if signed_in or request.user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
