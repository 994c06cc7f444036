"""The policies themselves: the list, create/edit and the policy page (text in force, my acknowledgement, versions)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from audit.selectors import history_of
from core.http import AuthenticatedHttpRequest, form_save, posted
from core.lists import filter_values, list_page
from core.markdown import render_markdown

from .. import exports, selectors, services
from ..forms import PolicyFilterForm, PolicyForm
from ..models import Policy, PolicyVersion
from ..policies import in_audience, policy_policy
from .reach import _PENDING, AREA, PAGE_SIZE, _reachable


@login_required
def policy_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = PolicyFilterForm(request.GET or None)
    policies = selectors.policy_list_visible_to(request.user, filter_values(filters))

    def as_csv(policies: Any) -> HttpResponse:
        with_pending = policy_policy.reads_everything(request.user)
        return exports.list_as_csv(list(policies), with_pending=with_pending)

    def as_xlsx(policies: Any) -> HttpResponse:
        with_pending = policy_policy.reads_everything(request.user)
        return exports.list_as_xlsx(list(policies), with_pending=with_pending)

    def context(page: Page[Any]) -> dict[str, Any]:
        mine = selectors.acknowledged_versions(request.user, [policy.pk for policy in page.object_list])
        rows = [
            {
                "policy": policy,
                "current": policy.published[0] if policy.published else None,
                "pending": next((version for version in policy.visible_versions if version.status in _PENDING), None),
                "mine": mine.get(policy.pk),
                "addressed": in_audience(request.user, policy),
            }
            for policy in page.object_list
        ]
        return {
            "rows": rows,
            "reads_everything": policy_policy.reads_everything(request.user),
            "can_create": policy_policy.can_create(request.user),
            "active_area": AREA,
        }

    return list_page(
        request,
        "policies/policy_list.html",
        policies,
        size=PAGE_SIZE,
        filters=filters,
        export={"csv": as_csv, "xlsx": as_xlsx},
        context=context,
    )


@login_required
def policy_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not policy_policy.can_create(request.user):
        raise Http404
    form = PolicyForm(posted(request), initial={"owner": request.user})
    policy = form_save(request, form, lambda fields: services.policy_create(by=request.user, **fields))
    if policy is not None:
        messages.success(request, _("Policy created. Now write its first version."))
        return redirect("policy_version_create", policy.pk)
    return render(request, "policies/policy_form.html", {"form": form, "active_area": AREA})


@login_required
def policy_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy = _reachable(request, pk)
    if not policy_policy.can_change(request.user, policy):
        raise Http404
    form = PolicyForm(posted(request), instance=Policy.objects.get(pk=policy.pk))
    if form_save(request, form, lambda fields: services.policy_update(policy=policy, by=request.user, **fields)):
        messages.success(request, _("Saved."))
        return redirect(policy)
    return render(request, "policies/policy_form.html", {"form": form, "policy": policy, "active_area": AREA})


@login_required
def policy_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy = _reachable(request, pk)
    versions = list(selectors.versions_of(request.user, policy))
    current = next((version for version in versions if version.status == PolicyVersion.Status.PUBLISHED), None)
    pending = next((version for version in versions if version.status in _PENDING), None)
    mine = selectors.acknowledgement_of(request.user, policy)
    return render(
        request,
        "policies/policy_detail.html",
        {
            "policy": policy,
            "versions": versions,
            "current": current,
            "current_html": render_markdown(current.body) if current else "",
            "pending": pending,
            "mine": mine,
            "addressed": in_audience(request.user, policy),
            "can_acknowledge": current is not None and policy_policy.can_acknowledge(request.user, current),
            "can_change": policy_policy.can_change(request.user, policy),
            "can_write_draft": pending is None and policy_policy.can_write_draft(request.user, policy),
            "can_view_acknowledgements": policy_policy.can_view_acknowledgements(request.user),
            "history": history_of(request.user, policy)[:30] if policy_policy.reads_everything(request.user) else None,
            "active_area": AREA,
        },
    )
