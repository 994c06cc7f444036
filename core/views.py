"""The tenant's dashboard shell, placeholder pages of coming areas, and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.policies import people_policy, tenant_settings_policy
from audit.policies import audit_policy
from backups.policies import operations_policy

from .models import TaskRun
from .navigation import AREAS_BY_SLUG


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    from training.selectors import assignments_open_for

    last_heartbeat = TaskRun.objects.filter(task="core.tasks.heartbeat").first()
    return render(
        request,
        "core/dashboard.html",
        {
            "last_heartbeat": last_heartbeat,
            "roles": request.user.groups.all(),
            "training_open": assignments_open_for(request.user),
            "today": timezone.localdate(),
            "active_area": "dashboard",
        },
    )


@login_required
def area(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        current = AREAS_BY_SLUG[slug]
    except KeyError:
        raise Http404
    if slug == "admin":
        return render(
            request,
            "core/admin_hub.html",
            {
                "area": current,
                "active_area": slug,
                "can_view_people": people_policy.can_view(request.user),
                "can_view_audit": audit_policy.can_view(request.user),
                "can_change_settings": tenant_settings_policy.can_change(request.user),
                "can_view_operations": operations_policy.can_view(request.user),
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
