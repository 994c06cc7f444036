"""The backups and restore drills page: backups (age, size), drills against RTO/RPO, failed jobs, heartbeat."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.http import AuthenticatedHttpRequest
from core.models import TaskRun

from . import services
from .models import BackupRecord, RestoreDrill
from .policies import operations_policy


@login_required
def backup_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not operations_policy.can_view(request.user):
        raise Http404
    backups = list(BackupRecord.objects.order_by("-started_at")[:20])
    last_good = next((b for b in backups if b.status == BackupRecord.Status.SUCCEEDED), None)
    drill = RestoreDrill.objects.select_related("backup").order_by("-started_at").first()
    now = timezone.now()
    return render(
        request,
        "backups/backup_overview.html",
        {
            "backups": backups,
            "last_good": last_good,
            "last_good_age_hours": (now - last_good.finished_at).total_seconds() / 3600
            if last_good and last_good.finished_at
            else None,
            "drill": drill,
            "rto_hours": services.RTO.total_seconds() / 3600,
            "rpo_hours": services.RPO.total_seconds() / 3600,
            "retention_days": request.tenant.retention_days,
            "failed_jobs": TaskRun.objects.filter(status=TaskRun.Status.FAILED)[:10],
            "failed_backups": [b for b in backups if b.status == BackupRecord.Status.FAILED][:10],
            "heartbeat": TaskRun.objects.filter(task="core.tasks.heartbeat").first(),
            "can_run_drill": operations_policy.can_drill_from(request.user, last_good),
            "active_area": "admin",
        },
    )


@login_required
def drill_run(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask a worker for a restore drill of the latest backup now (the weekly one is scheduled)."""
    if not operations_policy.can_run_drill(request.user) or request.method != "POST":
        raise Http404
    try:
        services.restore_drill_request(tenant=request.tenant, by=request.user)
    except services.DrillBusy:
        messages.error(request, _("A restore drill is already queued or running. Wait for it to finish."))
    except services.BackupError:
        messages.error(request, _("There is no backup to restore yet."))
    else:
        messages.success(request, _("Restore drill queued. This page shows its progress."))
    return redirect("operations")
