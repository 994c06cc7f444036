"""Taking a module: the quiz, completing it and one person's assignment."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.http import AuthenticatedHttpRequest, posted
from core.markdown import render_markdown

from .. import selectors, services
from ..forms import AcknowledgeForm, QuizForm
from ..models import Attempt
from ..policies import training_policy
from .modules import _module_or_404
from .shared import AREA


@login_required
def module_quiz(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Step 2: the quiz. Every submission is an attempt; a failed one shows the score and may be retried."""
    module = _module_or_404(request, pk)
    if not training_policy.can_take(request.user, module):
        raise Http404
    me: Any = request.user
    form = QuizForm(posted(request), module=module)
    if not form.questions:
        return redirect("training_module_complete", pk=module.pk)
    failed: Attempt | None = None
    if request.method == "POST" and form.is_valid():
        try:
            attempt = services.attempt_submit(user=request.user, module=module, answers=form.answers())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if attempt.passed:
                messages.success(
                    request,
                    _("You passed with %(score)d %% (pass mark %(mark)d %%).")
                    % {"score": attempt.score, "mark": attempt.pass_mark},
                )
                return redirect("training_module_complete", pk=module.pk)
            failed = attempt
            form = QuizForm(None, module=module)
    return render(
        request,
        "training/module_quiz.html",
        {
            "module": module,
            "form": form,
            "failed": failed,
            "attempts": Attempt.objects.filter(user=me, module=module)[:10],
            "active_area": AREA,
        },
    )


@login_required
def module_complete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Step 3: acknowledge the linked policy versions and complete the module."""
    module = _module_or_404(request, pk)
    if not training_policy.can_take(request.user, module):
        raise Http404
    if not services.ready_to_complete(request.user, module):
        messages.error(request, _("Pass the quiz first."))
        return redirect("training_module_quiz", pk=module.pk)
    versions = services.versions_to_acknowledge(module, request.user)
    form = AcknowledgeForm(posted(request), versions=versions)
    if request.method == "POST" and form.is_valid():
        try:
            completion = services.module_complete(user=request.user, module=module, acknowledged=form.acknowledged())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("“%(module)s” completed on %(date)s.")
                % {"module": module.title, "date": timezone.localtime(completion.completed_at).strftime("%Y-%m-%d")},
            )
            return redirect("training")
    return render(
        request,
        "training/module_complete.html",
        {
            "module": module,
            "form": form,
            "versions": [(version, render_markdown(version.body), form[f"v{version.pk}"]) for version in versions],
            "active_area": AREA,
        },
    )


@login_required
def assignment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A policy version to acknowledge: its text and "I have read and understood version N"."""
    assignment = selectors.assignment_for(request.user, pk)
    if assignment is None:
        raise Http404
    if assignment.module_id is not None:
        return redirect("training_module", pk=assignment.module_id)
    version = assignment.version
    assert version is not None  # noqa: S101 — type narrowing for mypy, not a runtime check
    mine = assignment.user_id == request.user.pk
    form = AcknowledgeForm(posted(request), versions=[version]) if mine else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.version_acknowledge(user=request.user, assignment=assignment)
        except PermissionDenied:
            raise Http404
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("You acknowledged %(policy)s version %(number)s.")
                % {"policy": version.policy, "number": version.number},
            )
            return redirect("training")
    return render(
        request,
        "training/assignment_detail.html",
        {
            "assignment": assignment,
            "version": version,
            "body": render_markdown(version.body),
            "form": form,
            "field": form[f"v{version.pk}"] if form is not None else None,
            "today": timezone.localdate(),
            "active_area": AREA,
        },
    )
