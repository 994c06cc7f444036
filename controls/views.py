"""The Statement of Applicability pages: the SoA itself, its XLSX export, and one control (read or edit)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.selectors import history_of
from core.http import AuthenticatedHttpRequest, form_save, posted
from core.spreadsheets import xlsx_response

from . import selectors, services
from .forms import ControlFilterForm, ControlForm
from .models import Control
from .policies import control_policy


def _filtered(request: AuthenticatedHttpRequest) -> tuple[ControlFilterForm, QuerySet[Control]]:
    if not control_policy.can_view(request.user):
        raise Http404
    filters = ControlFilterForm(request.GET or None)
    values: dict[str, Any] = filters.cleaned_data if filters.is_valid() else {}
    controls = selectors.controls_visible_to(
        request.user,
        q=values.get("q", ""),
        theme=values.get("theme", ""),
        applicable=values.get("applicable"),
        status=values.get("status", ""),
    )
    return filters, controls


@login_required
def control_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters, controls = _filtered(request)
    return render(
        request,
        "controls/control_list.html",
        {
            "filters": filters,
            "controls": controls,
            "summary": selectors.soa_summary(request.user),
            "query": request.GET.urlencode(),
            "active_area": "risks",
        },
    )


@login_required
def control_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    _filters, controls = _filtered(request)
    header: list[object] = [
        _("Reference"),
        _("Control"),
        _("Theme"),
        _("Applicable"),
        _("Justification"),
        _("Implementation status"),
        _("Owner"),
        _("Linked risks"),
        _("Last updated"),
    ]
    rows = (
        [
            control.reference,
            control.title,
            control.get_theme_display(),
            _("Yes") if control.applicable else _("No"),
            control.justification,
            control.get_status_display(),
            control.owner.email if control.owner else "",
            ", ".join(risk.reference for risk in control.visible_risks),  # type: ignore[attr-defined]  # Prefetch(to_attr=...) of the selector; not on the model type
            # Excel has no time zones: the tenant's local time, as shown on the pages.
            timezone.localtime(control.updated_at).replace(tzinfo=None),
        ]
        for control in controls
    )
    return xlsx_response(
        sheet_name=str(_("Statement of Applicability")),
        header=header,
        rows=rows,
        filename=f"statement-of-applicability-{timezone.localdate().isoformat()}.xlsx",
    )


@login_required
def control_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    control = selectors.control_for(request.user, pk)
    if control is None:
        raise Http404
    request.audit_object = control
    can_change = control_policy.can_change(request.user, control)
    if request.method == "POST" and not can_change:
        raise Http404
    form = None
    if can_change:
        form = ControlForm(posted(request), instance=Control.objects.get(pk=control.pk), editor=request.user)
        if form_save(
            request,
            form,
            lambda fields: services.control_update(control=control, by=request.user, **fields),
        ):
            messages.success(request, _("Saved."))
            return redirect(control)
    return render(
        request,
        "controls/control_detail.html",
        {
            "control": control,
            "form": form,
            "history": history_of(request.user, control)[:20],
            "active_area": "risks",
        },
    )
