"""The policies pages: list, create/edit, the policy (text in force, my acknowledgement, versions),
each version at its own address, drafts with preview, the life-cycle steps with confirmation, and
who acknowledged what (with CSV/XLSX export)."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.selectors import history_of
from core.http import AuthenticatedHttpRequest, form_save, paginate, posted
from core.markdown import render_markdown

from . import exports, selectors, services
from .compare import line_changes
from .forms import AcknowledgementFilterForm, PolicyFilterForm, PolicyForm, VersionForm
from .models import Policy, PolicyVersion
from .policies import in_audience, policy_policy

PAGE_SIZE = 50
AREA = "training"


@login_required
def policy_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = PolicyFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    policies = selectors.policy_list_visible_to(request.user, values)
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        with_pending = policy_policy.reads_everything(request.user)
        found = list(policies)
        if export == "csv":
            return exports.list_as_csv(found, with_pending=with_pending)
        return exports.list_as_xlsx(found, with_pending=with_pending)
    page, query = paginate(request, policies, PAGE_SIZE)
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
    return render(
        request,
        "policies/policy_list.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "query": query,
            "reads_everything": policy_policy.reads_everything(request.user),
            "can_create": policy_policy.can_create(request.user),
            "active_area": AREA,
        },
    )


_PENDING = (PolicyVersion.Status.DRAFT, PolicyVersion.Status.APPROVED)


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


def _reachable(request: AuthenticatedHttpRequest, pk: int) -> Policy:
    policy = selectors.policy_for(request.user, pk)
    if policy is None:
        raise Http404
    request.audit_object = policy
    return policy


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


def _version(request: AuthenticatedHttpRequest, pk: int, number: int) -> PolicyVersion:
    policy = _reachable(request, pk)
    version = selectors.version_for(request.user, policy, number)
    if version is None:
        raise Http404
    return version


@login_required
def policy_version_detail(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    version = _version(request, pk, number)
    current = selectors.current_version(version.policy)
    mine = selectors.acknowledgement_of(request.user, version.policy)
    user = request.user
    changes = None
    if current is not None and version.status in _PENDING:
        changes = line_changes(current.body, version.body)
    return render(
        request,
        "policies/version_detail.html",
        {
            "policy": version.policy,
            "version": version,
            "current": current,
            "body_html": render_markdown(version.body),
            "changes": changes,
            "mine": mine,
            "acknowledged_this": selectors.acknowledgement_of_version(user, version),
            "can_acknowledge": policy_policy.can_acknowledge(user, version),
            "can_edit": policy_policy.can_edit_draft(user, version),
            "can_approve": policy_policy.can_approve(user, version),
            "approver_wrote_it": policy_policy.approver_wrote_it(user, version),
            "can_publish": policy_policy.can_publish(user, version),
            "can_retire": policy_policy.can_retire(user, version),
            "can_withdraw": policy_policy.can_withdraw(user, version),
            "active_area": AREA,
        },
    )


def _draft_form_page(
    request: AuthenticatedHttpRequest, policy: Policy, form: VersionForm, version: PolicyVersion | None
) -> HttpResponse:
    preview = None
    if request.method == "POST" and "preview" in request.POST and form.is_valid():
        preview = render_markdown(form.cleaned_data["body"])
    current = selectors.current_version(policy)
    return render(
        request,
        "policies/version_form.html",
        {
            "policy": policy,
            "form": form,
            "version": version,
            "current": current,
            "preview": preview,
            "active_area": AREA,
        },
    )


@login_required
def policy_version_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy = _reachable(request, pk)
    if not policy_policy.can_write_draft(request.user, policy):
        raise Http404
    pending = policy.versions.filter(status__in=_PENDING).first()
    if pending is not None:
        messages.info(
            request,
            _("Version %(number)s is already in the works: edit or discard it first.") % {"number": pending.number},
        )
        return redirect(pending)
    current = selectors.current_version(policy)
    form = VersionForm(posted(request), initial={"body": current.body if current else ""})
    if "preview" not in request.POST:
        version = form_save(
            request,
            form,
            lambda fields: services.policy_version_create(policy=policy, by=request.user, **fields),
        )
        if version is not None:
            messages.success(request, _("Draft version %(number)s saved.") % {"number": version.number})
            return redirect(version)
    return _draft_form_page(request, policy, form, None)


@login_required
def policy_version_edit(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    version = _version(request, pk, number)
    if not policy_policy.can_edit_draft(request.user, version):
        raise Http404
    form = VersionForm(posted(request), instance=PolicyVersion.objects.get(pk=version.pk))
    if "preview" not in request.POST:
        saved = form_save(
            request,
            form,
            lambda fields: services.policy_version_update(version=version, by=request.user, **fields),
        )
        if saved is not None:
            messages.success(request, _("Draft saved."))
            return redirect(version)
    return _draft_form_page(request, version.policy, form, version)


@dataclass(frozen=True)
class Step:
    allowed: Any  # (user, version) -> bool
    service: Any
    title: str | Promise
    explanation: str | Promise
    button: str | Promise
    done: str | Promise
    danger: bool = False


STEPS: dict[str, Step] = {
    "approve": Step(
        policy_policy.can_approve,
        services.policy_version_approve,
        gettext_lazy("Approve version %(number)s"),
        gettext_lazy(
            "Your name and the time are recorded as the approval. The text can no longer be edited; "
            "it takes effect when it is published."
        ),
        gettext_lazy("Approve"),
        gettext_lazy("Version %(number)s approved."),
    ),
    "publish": Step(
        policy_policy.can_publish,
        services.policy_version_publish,
        gettext_lazy("Publish version %(number)s"),
        gettext_lazy(
            "This version comes into force now. The version in force until now is retired (it stays "
            "readable), and everyone the policy is addressed to is asked to acknowledge the new version. "
            "This cannot be undone."
        ),
        gettext_lazy("Publish"),
        gettext_lazy("Version %(number)s published."),
    ),
    "retire": Step(
        policy_policy.can_retire,
        services.policy_version_retire,
        gettext_lazy("Retire version %(number)s"),
        gettext_lazy(
            "The policy will have no version in force until another one is published. The text stays "
            "readable with its acknowledgements. This cannot be undone."
        ),
        gettext_lazy("Retire"),
        gettext_lazy("Version %(number)s retired."),
        danger=True,
    ),
    "withdraw": Step(
        policy_policy.can_withdraw,
        services.policy_version_retire,
        gettext_lazy("Withdraw approved version %(number)s"),
        gettext_lazy(
            "This approved text will never come into force. It stays readable, marked retired, and a new "
            "draft can be written. This cannot be undone."
        ),
        gettext_lazy("Withdraw"),
        gettext_lazy("Version %(number)s withdrawn."),
        danger=True,
    ),
    "discard": Step(
        policy_policy.can_edit_draft,
        services.policy_version_discard,
        gettext_lazy("Discard draft version %(number)s"),
        gettext_lazy("The draft text is deleted. This cannot be undone."),
        gettext_lazy("Discard"),
        gettext_lazy("Draft version %(number)s discarded."),
        danger=True,
    ),
}


@login_required
def policy_version_step(request: AuthenticatedHttpRequest, pk: int, number: int, step: str) -> HttpResponse:
    """Confirm (GET) and carry out (POST) one life-cycle step of a version."""
    version = _version(request, pk, number)
    action = STEPS.get(step)
    if action is None:
        raise Http404
    approver_wrote_it = step == "approve" and policy_policy.approver_wrote_it(request.user, version)
    if not action.allowed(request.user, version) and not approver_wrote_it:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            action.service(version=version, by=request.user)
        except PermissionDenied:
            raise Http404
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, str(action.done) % {"number": number})
            return redirect(version.policy if step == "discard" else version)
    elif approver_wrote_it and not action.allowed(request.user, version):
        error = _("You wrote or edited this draft: someone else must approve it.")
    return render(
        request,
        "policies/version_confirm.html",
        {
            "policy": version.policy,
            "version": version,
            "step": step,
            "title": str(action.title) % {"number": number},
            "explanation": action.explanation,
            "button": action.button,
            "danger": action.danger,
            "error": error,
            "active_area": AREA,
        },
        status=400 if error and request.method == "POST" else 200,
    )


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
