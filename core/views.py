"""The tenant's dashboard shell, the admin hub, the areas' addresses, and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
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
def admin_hub(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/admin_hub.html",
        {
            "area": navigation.area_for("admin"),
            "active_area": "admin",
            "cards": navigation.admin_cards_for(request.user),
        },
    )


@login_required
def area(request: HttpRequest, slug: str) -> HttpResponse:
    """An area's address (``/area/<slug>/``) leads to the area's own page."""
    current = navigation.area_for(slug)
    if current is None:
        raise Http404
    return redirect(current.url)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and compose health checks."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "core/landing.html")
