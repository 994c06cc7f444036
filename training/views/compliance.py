"""Who has completed what: the compliance overview (with evidence export) and one person's training record."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.http import AuthenticatedHttpRequest, paginate

from .. import selectors
from ..models import Assignment, Module
from ..policies import training_policy
from .shared import AREA, PAGE_SIZE, _export, _links


@login_required
def compliance(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not training_policy.can_view_compliance(request.user):
        raise Http404
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        return _evidence_export(request, export)
    figures = selectors.compliance()
    page, query = paginate(request, figures.people, PAGE_SIZE)
    # Modules are links only where the reader may open them (an Auditor does not see another role's module).
    openable = set(training_policy.modules_visible(request.user, Module.objects.all()).values_list("pk", flat=True))
    return render(
        request,
        "training/compliance.html",
        {
            "figures": figures,
            "page": page,
            "query": query,
            "openable_modules": openable,
            "active_area": AREA,
            **_links(request.user),
        },
    )


def _evidence_export(request: AuthenticatedHttpRequest, export: str) -> HttpResponse:
    today = timezone.localdate()
    header = [
        _("Person"), _("E-mail address"), _("Roles"), _("Account"), _("Item"), _("Why"), _("Assigned"), _("Due"),
        _("Status"), _("Done"), _("Quiz score (%)"), _("Acknowledged versions"), _("Valid until"),
    ]  # fmt: skip

    def status(assignment: Assignment) -> str:
        if assignment.is_overdue(today):
            return str(_("Overdue"))
        return str(assignment.get_status_display())

    def acknowledged(assignment: Assignment) -> str:
        if assignment.completion is not None:
            return ", ".join(f"{v.policy} v{v.number}" for v in assignment.completion.versions.all())
        if assignment.acknowledgement is not None:
            return f"{assignment.version.policy} v{assignment.acknowledgement.version.number}"  # type: ignore[union-attr]  # a policy assignment has a version
        return ""

    def local(moment: Any) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""

    rows = (
        [
            assignment.user.get_full_name(),
            assignment.user.email,
            ", ".join(group.name for group in assignment.user.groups.all()),
            str(_("Active")) if assignment.user.is_active else str(_("Deactivated")),
            assignment.subject,
            assignment.get_reason_display(),
            local(assignment.assigned_at),
            assignment.due_date.isoformat(),
            status(assignment),
            local(assignment.completed_at),
            assignment.completion.score if assignment.completion and assignment.completion.score is not None else "",
            acknowledged(assignment),
            assignment.completion.expires_on.isoformat()
            if assignment.completion and assignment.completion.expires_on
            else "",
        ]
        for assignment in selectors.evidence_rows(request.user)
    )
    return _export(export, f"training-evidence-{today.isoformat()}", _("Training evidence"), header, rows)


@login_required
def person_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One person's training record (printable): assignments, quiz attempts, completions, acknowledgements."""
    person = selectors.person_for(request.user, pk)
    if person is None:
        raise Http404
    return render(
        request,
        "training/person_record.html",
        {
            "record": selectors.person_record(person),
            "can_view_compliance": training_policy.can_view_compliance(request.user),
            "today": timezone.localdate(),
            "printed_at": timezone.now(),
            "active_area": AREA,
        },
    )
