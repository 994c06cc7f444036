"""The risk register pages: list, create, detail (with sharing), edit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from audit.selectors import history_of
from core.http import posted
from sharing.forms import AccessRequestForm, DecisionForm, ShareForm
from sharing.selectors import access_reasons, requests_pending_for

from . import selectors, services
from .forms import RiskFilterForm, RiskForm
from .models import Risk
from .policies import risk_policy

PAGE_SIZE = 50


@login_required
def risk_list(request: HttpRequest) -> HttpResponse:
    filters = RiskFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    risks = selectors.risks_visible_to(request.user, q=values.get("q", ""), status=values.get("status", ""))
    page = Paginator(risks, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "risks/risk_list.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "can_create": risk_policy.can_create(request.user),
            "active_area": "risks",
        },
    )


@login_required
def risk_create(request: HttpRequest) -> HttpResponse:
    if not risk_policy.can_create(request.user):
        raise Http404
    form = RiskForm(posted(request), initial={"owner": request.user})
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        risk = services.risk_create(by=request.user, **fields)  # type: ignore[arg-type]
        messages.success(request, _("%(risk)s created.") % {"risk": risk.reference})
        return redirect(risk)
    return render(request, "risks/risk_form.html", {"form": form, "active_area": "risks"})


def _unavailable(request: HttpRequest, pk: int) -> HttpResponse:
    """Exactly the same page whether the risk is missing or out of reach, with a way to ask."""
    return render(
        request,
        "risks/risk_unavailable.html",
        {"form": AccessRequestForm(), "pk": pk, "active_area": "risks"},
        status=404,
    )


@login_required
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    risk = selectors.risk_for(request.user, pk)
    if risk is None:
        return _unavailable(request, pk)
    request.audit_object = risk  # type: ignore[attr-defined]
    can_share = risk_policy.can_share(request.user, risk)
    return render(
        request,
        "risks/risk_detail.html",
        {
            "risk": risk,
            "can_change": risk_policy.can_change(request.user, risk),
            "can_share": can_share,
            "reasons": access_reasons(risk, risk.owner),
            "requests": requests_pending_for(risk) if can_share else [],
            "share_form": ShareForm() if can_share else None,
            "decision_form": DecisionForm(),
            "history": history_of(request.user, risk)[:20],
            "active_area": "risks",
        },
    )


@login_required
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    risk = selectors.risk_for(request.user, pk)
    if risk is None or not risk_policy.can_change(request.user, risk):
        return _unavailable(request, pk)
    form = RiskForm(posted(request), instance=Risk.objects.get(pk=risk.pk))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.risk_update(risk=risk, by=request.user, **fields)  # type: ignore[arg-type]
        except PermissionDenied:
            raise Http404
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(risk)
    return render(request, "risks/risk_form.html", {"form": form, "risk": risk, "active_area": "risks"})
