"""The security objectives pages: list, create, detail (key results and their values), edit."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.selectors import history_of
from core.http import AuthenticatedHttpRequest, form_save, posted
from core.lists import filter_values, list_page

from . import selectors, services
from .forms import CurrentValueForm, KeyResultForm, ObjectiveFilterForm, ObjectiveForm
from .models import KeyResult, Objective, decimal_text
from .policies import objective_policy

PAGE_SIZE = 50


@login_required
def objective_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not objective_policy.can_view_any(request.user):
        raise Http404
    filters = ObjectiveFilterForm(request.GET or None, reader=request.user)
    objectives = selectors.objectives_visible_to(request.user, filter_values(filters))
    context = {"can_create": objective_policy.can_create(request.user), "active_area": "risks"}
    return list_page(
        request, "objectives/objective_list.html", objectives, size=PAGE_SIZE, filters=filters, context=context
    )


@login_required
def objective_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not objective_policy.can_create(request.user):
        raise Http404
    initial: dict[str, Any] = {"owner": request.user} | _from_analysis(request)
    form = ObjectiveForm(posted(request), initial=initial, editor=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            objective = services.objective_create(by=request.user, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Objective created. Now add its key results."))
            return redirect(objective)
    return render(request, "objectives/objective_form.html", {"form": form, "active_area": "risks"})


def _from_analysis(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """Start an objective from a signed-off risk analysis ("the basis for security objectives"):
    its period, and its highest risks that still exist."""
    from risks.analyses import summary
    from risks.models import Risk, RiskAnalysis

    analysis = RiskAnalysis.objects.filter(pk=request.GET.get("analysis") or 0, status="signed_off").first()
    if analysis is None:
        return {}
    top = [risk["reference"] for risk in summary(analysis.snapshot.get("risks", []))["top"][:5]]
    return {"period": analysis.name, "risks": list(Risk.objects.filter(reference__in=top))}


def _detail(
    request: AuthenticatedHttpRequest,
    objective: Objective,
    *,
    key_result_form: KeyResultForm | None = None,
    failed: tuple[int, CurrentValueForm] | None = None,
) -> HttpResponse:
    """The detail page; a form that failed validation is shown again in its place, with its errors."""
    can_change = objective_policy.can_change(request.user, objective)
    can_update = objective_policy.can_update_progress(request.user, objective)
    rows: list[dict[str, Any]] = []
    for result in objective.key_results.all():
        form = None
        if can_update:
            form = failed[1] if failed and failed[0] == result.pk else _current_form(result)
        rows.append({"result": result, "form": form})
    return render(
        request,
        "objectives/objective_detail.html",
        {
            "objective": objective,
            "rows": rows,
            "can_change": can_change,
            "key_result_form": (key_result_form or KeyResultForm()) if can_change else None,
            "linked_risks": objective.visible_risks,  # type: ignore[attr-defined]  # Prefetch(to_attr=...) of the selector; not on the model type
            "history": history_of(request.user, objective)[:30],
            "active_area": "risks",
        },
    )


def _current_form(result: KeyResult, data: Any = None) -> CurrentValueForm:
    # Each row's form posts "current"; the ids differ so that every label points at its own input.
    return CurrentValueForm(data, initial={"current": decimal_text(result.current)}, auto_id=f"id_kr{result.pk}_%s")


def _reachable(request: AuthenticatedHttpRequest, pk: int) -> Objective:
    objective = selectors.objective_for(request.user, pk)
    if objective is None:
        raise Http404
    request.audit_object = objective
    return objective


@login_required
def objective_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _reachable(request, pk))


@login_required
def objective_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    objective = _reachable(request, pk)
    if not objective_policy.can_change(request.user, objective):
        raise Http404
    form = ObjectiveForm(posted(request), instance=Objective.objects.get(pk=objective.pk), editor=request.user)
    if form_save(
        request,
        form,
        lambda fields: services.objective_update(objective=objective, by=request.user, **fields),
    ):
        messages.success(request, _("Saved."))
        return redirect(objective)
    return render(
        request, "objectives/objective_form.html", {"form": form, "objective": objective, "active_area": "risks"}
    )


@require_POST
@login_required
def key_result_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    objective = _reachable(request, pk)
    if not objective_policy.can_change(request.user, objective):
        raise Http404
    form = KeyResultForm(request.POST)
    if form.is_valid():
        try:
            services.key_result_add(objective=objective, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Key result added."))
            return redirect(objective)
    return _detail(request, objective, key_result_form=form)


@require_POST
@login_required
def key_result_update(request: AuthenticatedHttpRequest, pk: int, result_pk: int) -> HttpResponse:
    objective = _reachable(request, pk)
    result = selectors.key_result_of(objective, result_pk)
    if result is None or not objective_policy.can_update_progress(request.user, objective):
        raise Http404
    form = _current_form(result, request.POST)
    if form.is_valid():
        try:
            services.key_result_update(key_result=result, by=request.user, current=form.cleaned_data["current"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("“%(metric)s” updated.") % {"metric": result.metric})
            return redirect(objective)
    return _detail(request, objective, failed=(result.pk, form))


@require_POST
@login_required
def key_result_remove(request: AuthenticatedHttpRequest, pk: int, result_pk: int) -> HttpResponse:
    objective = _reachable(request, pk)
    result = selectors.key_result_of(objective, result_pk)
    if result is None or not objective_policy.can_change(request.user, objective):
        raise Http404
    services.key_result_remove(key_result=result, by=request.user)
    messages.success(request, _("“%(metric)s” removed.") % {"metric": result.metric})
    return redirect(objective)
