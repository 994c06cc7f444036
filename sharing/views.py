"""Share, revoke, ask for and decide on access to a record of any model that opted in."""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.http import AuthenticatedHttpRequest

from . import registry, services
from .forms import AccessRequestForm, DecisionForm, ShareForm
from .models import AccessRequest, ShareGrant


def _record(model_label: str, pk: int) -> tuple[type[models.Model], models.Model | None]:
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        raise Http404
    if registry.policy_for(model) is None:
        raise Http404
    return model, model._default_manager.filter(pk=pk).first()


@login_required
@require_POST
def share(request: AuthenticatedHttpRequest, model_label: str, pk: int) -> HttpResponse:
    model, obj = _record(model_label, pk)
    policy = registry.policy_for(model)
    # Someone who may not share gets the answer of a missing record, whatever they posted.
    if (
        obj is None
        or policy is None
        or not policy.can_view(request.user, obj)
        or not policy.can_share(request.user, obj)
    ):
        raise Http404
    form = ShareForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(registry.record_url(obj))
    try:
        services.share_grant(
            obj=obj,
            by=request.user,
            user=form.cleaned_data["person"],
            role=form.cleaned_data["role"],
            permission=form.cleaned_data["permission"],
            expires_at=form.cleaned_data["expires_at"],
        )
    except PermissionDenied:
        raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Shared."))
    return redirect(registry.record_url(obj))


@login_required
@require_POST
def revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(ShareGrant, pk=pk)
    obj = grant.content_type.get_object_for_this_type(pk=grant.object_id)
    try:
        services.share_revoke(grant=grant, by=request.user)
    except PermissionDenied:
        raise Http404
    messages.success(request, _("Access revoked for %(who)s.") % {"who": grant.grantee_label})
    return redirect(registry.record_url(obj))


@login_required
@require_POST
def ask(request: AuthenticatedHttpRequest, model_label: str, pk: int) -> HttpResponse:
    model, _obj = _record(model_label, pk)
    form = AccessRequestForm(request.POST)
    if form.is_valid():
        services.access_request_create(
            model=model,
            object_id=pk,
            requester=request.user,
            permission=form.cleaned_data["permission"],
            message=form.cleaned_data["message"],
        )
    # The same answer whether or not the record exists: a link can't be used to probe.
    messages.success(request, _("Your request has been sent to the owner."))
    return redirect("dashboard")


@login_required
@require_POST
def decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access_request = get_object_or_404(AccessRequest, pk=pk)
    obj = access_request.content_type.get_object_for_this_type(pk=access_request.object_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        services.access_request_decide(
            request=access_request,
            by=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            expires_at=form.cleaned_data["expires_at"],
        )
    except PermissionDenied:
        raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(registry.record_url(obj))
