"""Acknowledging a version, and who acknowledged what (with CSV/XLSX export)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.http import AuthenticatedHttpRequest
from core.lists import filter_values, list_page

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
    rows = selectors.audience_acknowledgements(policy, filter_values(filters))
    current = selectors.current_version(policy)
    return list_page(
        request,
        "policies/acknowledgement_list.html",
        rows,
        size=PAGE_SIZE,
        filters=filters,
        export={"csv": lambda rows: exports.as_csv(policy, rows), "xlsx": lambda rows: exports.as_xlsx(policy, rows)},
        context=lambda page: {
            "policy": policy,
            "current": current,
            "totals": selectors.audience_totals(policy),
            "active_area": AREA,
        },
    )
