"""Acknowledging a version, and who acknowledged what (with CSV/XLSX export)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.http import AuthenticatedHttpRequest, paginate

from .. import exports, selectors, services
from ..forms import AcknowledgementFilterForm
from ..policies import policy_policy
from .reach import AREA, PAGE_SIZE, _reachable, _version


@require_POST
@login_required
def policy_acknowledge(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    version = _version(request, pk, number)
    if not policy_policy.can_acknowledge(request.user, version):
        raise Http404
    try:
        services.policy_acknowledge(user=request.user, version=version)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, _("Thank you: you acknowledged version %(number)s.") % {"number": number})
    return redirect(version.policy)


@login_required
def policy_acknowledgements(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy = _reachable(request, pk)
    if not policy_policy.can_view_acknowledgements(request.user):
        raise Http404
    filters = AcknowledgementFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    rows = selectors.audience_acknowledgements(policy, values)
    current = selectors.current_version(policy)
    export = request.GET.get("format")
    if export == "csv":
        return exports.as_csv(policy, rows)
    if export == "xlsx":
        return exports.as_xlsx(policy, rows)
    totals = selectors.audience_totals(policy)
    page, query = paginate(request, rows, PAGE_SIZE)
    return render(
        request,
        "policies/acknowledgement_list.html",
        {
            "policy": policy,
            "current": current,
            "filters": filters,
            "page": page,
            "query": query,
            "totals": totals,
            "active_area": AREA,
        },
    )
