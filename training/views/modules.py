"""The training modules: list (with export), create/edit, the module page and assigning it."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.selectors import history_of
from core.http import AuthenticatedHttpRequest, posted
from core.lists import Columns, filter_values, list_page
from core.markdown import render_markdown

from .. import selectors, services
from ..forms import AssignForm, ModuleFilterForm, ModuleForm
from ..models import Assignment, Attempt, Module
from ..policies import training_policy
from ..quiz import quiz_text
from .shared import AREA, PAGE_SIZE, _links


@login_required
def module_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not training_policy.can_manage_modules(request.user):
        raise Http404
    filters = ModuleFilterForm(request.GET or None)
    modules = selectors.modules_visible_to(request.user, filter_values(filters))
    return list_page(
        request,
        "training/module_list.html",
        modules,
        size=PAGE_SIZE,
        filters=filters,
        export=_modules_export(),
        context=lambda page: {"active_area": AREA, **_links(request.user)},
    )


def _modules_export() -> Columns:
    header: list[object] = [
        _("Title"), _("Audience"), _("Onboarding"), _("Active"), _("Questions"), _("Pass mark (%)"),
        _("Valid for (months)"), _("Policies to acknowledge"),
    ]  # fmt: skip
    return Columns(
        sheet=_("Training modules"),
        filename="training-modules",
        header=header,
        row=lambda module: [
            module.title,
            ", ".join(module.audience) or _("Everyone"),
            _("yes") if module.onboarding else _("no"),
            _("yes") if module.active else _("no"),
            len(module.questions.all()),
            module.pass_mark,
            module.validity_months,
            ", ".join(policy.title for policy in module.policies.all()),
        ],
    )


def _module_form_page(request: AuthenticatedHttpRequest, form: ModuleForm, module: Module | None) -> HttpResponse:
    return render(request, "training/module_form.html", {"form": form, "module": module, "active_area": AREA})


def _module_fields(form: ModuleForm) -> dict[str, Any]:
    fields = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "quiz"}
    fields["questions"] = form.cleaned_data["quiz"]
    return fields


@login_required
def module_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not training_policy.can_create_module(request.user):
        raise Http404
    form = ModuleForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            module = services.module_create(by=request.user, **_module_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Module “%(title)s” created.") % {"title": module.title})
            return redirect(module)
    return _module_form_page(request, form, None)


@login_required
def module_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    module = selectors.module_for(request.user, pk)
    if module is None or not training_policy.can_manage_modules(request.user):
        raise Http404
    initial = {"quiz": quiz_text(module.questions.prefetch_related("options"))}
    form = ModuleForm(posted(request), instance=Module.objects.get(pk=module.pk), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.module_update(module=module, by=request.user, **_module_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(module)
    return _module_form_page(request, form, module)


def _module_or_404(request: AuthenticatedHttpRequest, pk: int) -> Module:
    module = selectors.module_for(request.user, pk)
    if module is None:
        raise Http404
    return module


@login_required
def module_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Step 1: read the module (and, for its writers, its quiz, its figures and the assign form)."""
    module = _module_or_404(request, pk)
    request.audit_object = module
    me: Any = request.user
    can_manage = training_policy.can_manage_modules(request.user)
    questions = list(module.questions.prefetch_related("options"))
    return render(
        request,
        "training/module_detail.html",
        {
            "module": module,
            "content": render_markdown(module.content),
            "questions": questions if can_manage else [],
            "question_count": len(questions),
            "policies": list(module.policies.order_by("title")),
            "can_take": training_policy.can_take(request.user, module),
            "open_assignment": Assignment.objects.filter(user=me, module=module, status=Assignment.Status.OPEN).first(),
            "last_completion": module.completions.filter(user=me).first(),
            "attempts": Attempt.objects.filter(user=me, module=module)[:10],
            "ready": services.ready_to_complete(request.user, module),
            "can_manage": can_manage,
            "can_assign": training_policy.can_assign(request.user),
            "assign_form": AssignForm(initial={"due_date": services.onboarding_due_date()}),
            "history": history_of(request.user, module)[:20] if can_manage else [],
            "today": timezone.localdate(),
            "active_area": AREA,
        },
    )


@login_required
def module_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    module = _module_or_404(request, pk)
    if request.method != "POST" or not training_policy.can_assign(request.user):
        raise Http404
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a due date."))
        return redirect(module)
    try:
        count = services.module_assign(module=module, by=request.user, due_date=form.cleaned_data["due_date"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Assigned to %(n)d people.") % {"n": count})
    return redirect(module)
