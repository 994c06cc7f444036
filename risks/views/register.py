"""The risk register pages: list, create, detail (with sharing), edit."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.selectors import history_of
from core.http import AuthenticatedHttpRequest, form_save, posted
from core.lists import filter_values, list_page
from sharing.forms import AccessRequestForm, DecisionForm, ShareForm
from sharing.selectors import requests_pending_for

from .. import exports, related, selectors, services
from ..forms import AcceptForm, ActionForm, MatrixForm, RiskFilterForm, RiskForm
from ..heatmap import heatmap
from ..models import Level, Risk, RiskMatrix, TreatmentAction
from ..policies import analysis_policy, risk_policy

PAGE_SIZE = 50


@login_required
def risk_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = RiskFilterForm(request.GET or None)
    values = filter_values(filters)
    risks = selectors.risks_visible_to(request.user, values)

    def context(page: Page[Any]) -> dict[str, Any]:  # after the export: the heatmaps only on the page
        matrix = RiskMatrix.current()
        whole = selectors.risks_visible_to(request.user, {k: v for k, v in values.items() if k not in ("lik", "imp")})
        selected = (values["lik"], values["imp"]) if values.get("lik") and values.get("imp") else None
        residual = values.get("map") == "residual"
        cell_query = request.GET.copy()
        for key in ("page", "lik", "imp", "map", "format"):
            cell_query.pop(key, None)
        return {
            "cell_query": cell_query.urlencode(),
            "heatmaps": [
                heatmap(whole, matrix, residual=False, selected=None if residual else selected),
                heatmap(whole, matrix, residual=True, selected=selected if residual else None),
            ],
            "selected_cell": selected,
            "can_create": risk_policy.can_create(request.user),
            "can_edit_matrix": risk_policy.can_edit_matrix(request.user),
            "can_view_analyses": analysis_policy.can_view(request.user),
            "active_area": "risks",
        }

    return list_page(
        request,
        "risks/risk_list.html",
        risks,
        size=PAGE_SIZE,
        filters=filters,
        export={"csv": exports.as_csv, "xlsx": exports.as_xlsx},
        context=context,
    )


@login_required
def risk_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not risk_policy.can_create(request.user):
        raise Http404
    form = RiskForm(posted(request), initial={"owner": request.user})
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            risk = services.risk_create(by=request.user, **fields)
        except ValidationError as error:
            form.add_error(None, error)
            return render(request, "risks/risk_form.html", {"form": form, "active_area": "risks"})
        messages.success(request, _("%(risk)s created.") % {"risk": risk.reference})
        return redirect(risk)
    return render(request, "risks/risk_form.html", {"form": form, "active_area": "risks"})


def _unavailable(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Exactly the same page whether the risk is missing or out of reach, with a way to ask."""
    return render(
        request,
        "risks/risk_unavailable.html",
        {"form": AccessRequestForm(), "pk": pk, "active_area": "risks"},
        status=404,
    )


@login_required
def risk_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    risk = selectors.risk_for(request.user, pk)
    if risk is None:
        return _unavailable(request, pk)
    request.audit_object = risk
    can_share = risk_policy.can_share(request.user, risk)
    matrix = RiskMatrix.current()
    return render(
        request,
        "risks/risk_detail.html",
        {
            "risk": risk,
            "can_change": risk_policy.can_change(request.user, risk),
            "can_share": can_share,
            "reasons": selectors.access_reasons_of(risk),
            "requests": requests_pending_for(risk) if can_share else [],
            "share_form": ShareForm() if can_share else None,
            "decision_form": DecisionForm(),
            "history": history_of(request.user, risk)[:20],
            "matrix": matrix,
            "needs_acceptance": risk.needs_acceptance(matrix, timezone.localdate()),
            "acceptance_valid": risk.acceptance_is_valid(timezone.localdate()),
            "accept_form": AcceptForm() if risk_policy.can_accept(request.user, risk) else None,
            "actions": risk.actions.select_related("owner"),
            "action_form": ActionForm() if risk_policy.can_change(request.user, risk) else None,
            "action_statuses": TreatmentAction.Status.choices,
            "today": timezone.localdate(),
            "controls": _controls_of(request, risk),
            "active_area": "risks",
        },
    )


@login_required
def risk_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    risk = selectors.risk_for(request.user, pk)
    if risk is None or not risk_policy.can_accept(request.user, risk) or request.method != "POST":
        return _unavailable(request, pk)
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            services.risk_accept(risk=risk, by=request.user, justification=form.cleaned_data["justification"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(risk)s accepted until %(date)s.") % {"risk": risk.reference, "date": risk.acceptance_expires},
            )
    else:
        messages.error(request, _("Explain why the risk is accepted."))
    return redirect(risk)


@login_required
def matrix_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not risk_policy.can_edit_matrix(request.user):
        raise Http404
    matrix = RiskMatrix.current()
    initial: dict[str, object] = {"acceptance_threshold": matrix.acceptance_threshold}
    initial |= {f"likelihood_{n}": label for n, label in enumerate(matrix.likelihood_labels, 1)}
    initial |= {f"impact_{n}": label for n, label in enumerate(matrix.impact_labels, 1)}
    initial |= {f"band_{level}": top for level, top in matrix.bands.items()}
    form = MatrixForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _matrix, changed = services.matrix_update(
                by=request.user,
                likelihood_labels=[data[f"likelihood_{n}"] for n in range(1, 6)],
                impact_labels=[data[f"impact_{n}"] for n in range(1, 6)],
                bands={level: data[f"band_{level}"] for level in Level.values},
                threshold=data["acceptance_threshold"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Matrix saved; %(n)d risks changed level (each change is in the audit trail).") % {"n": changed},
            )
            return redirect("risks")
    return render(request, "risks/matrix_form.html", {"form": form, "active_area": "risks"})


@login_required
def risk_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    risk = selectors.risk_for(request.user, pk)
    if risk is None or not risk_policy.can_change(request.user, risk):
        return _unavailable(request, pk)
    form = RiskForm(
        posted(request),
        instance=Risk.objects.get(pk=risk.pk),
        can_change_owner=risk_policy.can_change_owner(request.user, risk),
    )
    if form_save(request, form, lambda fields: services.risk_update(risk=risk, by=request.user, **fields)):
        messages.success(request, _("Saved."))
        return redirect(risk)
    return render(request, "risks/risk_form.html", {"form": form, "risk": risk, "active_area": "risks"})


def _controls_of(request: AuthenticatedHttpRequest, risk: Risk) -> list[object]:
    """Annex A controls linked to this risk, if the reader may read the Statement of Applicability."""
    if not related.allowed(related.CONTROLS_VIEW, request.user):
        return []
    return list(risk.controls.order_by("sort_key"))


@login_required
def action_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    risk = selectors.risk_for(request.user, pk)
    if risk is None or request.method != "POST" or not risk_policy.can_change(request.user, risk):
        return _unavailable(request, pk)
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            services.action_add(risk=risk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Action added."))
    else:
        messages.error(request, _("Give the action, its owner and a due date."))
    return redirect(risk)


@login_required
def action_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = TreatmentAction.objects.select_related("risk").filter(pk=pk).first()
    risk = selectors.risk_for(request.user, action.risk_id) if action else None
    if action is None or risk is None or request.method != "POST":
        raise Http404
    try:
        services.action_status_set(action=action, by=request.user, status=request.POST.get("status", ""))
    except PermissionDenied:
        raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(risk)
