"""The tenant's dashboard shell, placeholder pages of coming areas, and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from . import dashboard as panels
from . import navigation
from .models import TaskRun


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    last_heartbeat = TaskRun.objects.filter(task="core.tasks.heartbeat").first()
    return render(
        request,
        "core/dashboard.html",
        {
            "last_heartbeat": last_heartbeat,
            "roles": request.user.groups.all(),
            "panels": panels.panels_for(request),
            "today": timezone.localdate(),
            "active_area": "dashboard",
        },
    )


@login_required
def area(request: HttpRequest, slug: str) -> HttpResponse:
    current = navigation.area_for(slug)
    if current is None:
        raise Http404
    if slug == "admin":
        return render(
            request,
            "core/admin_hub.html",
            {
                "area": current,
                "active_area": slug,
                "cards": navigation.admin_cards_for(request.user),
            },
        )
    return render(request, "core/area.html", {"area": current, "active_area": slug})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and compose health checks."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "core/landing.html")
