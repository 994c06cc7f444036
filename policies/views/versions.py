"""Each version at its own address, drafts with preview, and the life-cycle steps with confirmation."""

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

from core.http import AuthenticatedHttpRequest, form_save, posted
from core.markdown import render_markdown

from .. import selectors, services
from ..compare import line_changes
from ..forms import VersionForm
from ..models import Policy, PolicyVersion
from ..policies import policy_policy
from .reach import _PENDING, AREA, _reachable, _version


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
