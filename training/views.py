"""The training pages: my training, modules (list, write, read, quiz, acknowledge), acknowledging a policy
version, the compliance view with its evidence export, a person's printable record, the settings."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.selectors import history_of
from core.http import AuthenticatedHttpRequest, paginate, posted
from core.markdown import render_markdown
from core.spreadsheets import table_response

from . import selectors, services
from .forms import AcknowledgeForm, AssignForm, ModuleFilterForm, ModuleForm, QuizForm, SettingsForm
from .models import Assignment, Attempt, Module, TrainingSettings
from .policies import training_policy
from .quiz import quiz_text

PAGE_SIZE = 50
AREA = "training"


def _links(user: Any) -> dict[str, bool]:
    return {
        "can_manage": training_policy.can_manage_modules(user),
        "can_view_compliance": training_policy.can_view_compliance(user),
        "can_change_settings": training_policy.can_change_settings(user),
    }


@login_required
def training_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My training: what is left (with due dates), the modules I may take, and where to go next."""
    from policies.selectors import acknowledgement_status

    today = timezone.localdate()
    return render(
        request,
        "training/home.html",
        {
            "open": selectors.assignments_open_for(request.user),
            "policies": acknowledgement_status(request.user),
            "modules": selectors.my_modules(request.user),
            "today": today,
            "active_area": AREA,
            **_links(request.user),
        },
    )


# --- modules ------------------------------------------------------------------------------


@login_required
def module_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not training_policy.can_manage_modules(request.user):
        raise Http404
    filters = ModuleFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    modules = selectors.modules_visible_to(request.user, values)
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        return _modules_export(modules, export)
    page, query = paginate(request, modules, PAGE_SIZE)
    return render(
        request,
        "training/module_list.html",
        {"filters": filters, "page": page, "query": query, "active_area": AREA, **_links(request.user)},
    )


def _modules_export(modules: Any, export: str) -> HttpResponse:
    header = [
        _("Title"), _("Audience"), _("Onboarding"), _("Active"), _("Questions"), _("Pass mark (%)"),
        _("Valid for (months)"), _("Policies to acknowledge"),
    ]  # fmt: skip
    rows = (
        [
            module.title,
            ", ".join(module.audience) or _("Everyone"),
            _("yes") if module.onboarding else _("no"),
            _("yes") if module.active else _("no"),
            len(module.questions.all()),
            module.pass_mark,
            module.validity_months,
            ", ".join(policy.title for policy in module.policies.all()),
        ]
        for module in modules
    )
    return _export(export, "training-modules", _("Training modules"), header, rows)


def _export(export: str, name: str, sheet: str, header: list[Any], rows: Any) -> HttpResponse:
    return table_response(export, sheet_name=sheet, header=header, rows=rows, filename=name)


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


# --- acknowledging a policy version -------------------------------------------------------


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


# --- compliance ---------------------------------------------------------------------------


@login_required
def compliance(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not training_policy.can_view_compliance(request.user):
        raise Http404
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        return _evidence_export(request, export)
    figures = selectors.compliance()
    page, query = paginate(request, figures.people, PAGE_SIZE)
    # Modules are links only where the reader may open them (an Auditor does not see another role's module).
    openable = set(training_policy.modules_visible(request.user, Module.objects.all()).values_list("pk", flat=True))
    return render(
        request,
        "training/compliance.html",
        {
            "figures": figures,
            "page": page,
            "query": query,
            "openable_modules": openable,
            "active_area": AREA,
            **_links(request.user),
        },
    )


def _evidence_export(request: AuthenticatedHttpRequest, export: str) -> HttpResponse:
    today = timezone.localdate()
    header = [
        _("Person"), _("E-mail address"), _("Roles"), _("Account"), _("Item"), _("Why"), _("Assigned"), _("Due"),
        _("Status"), _("Done"), _("Quiz score (%)"), _("Acknowledged versions"), _("Valid until"),
    ]  # fmt: skip

    def status(assignment: Assignment) -> str:
        if assignment.is_overdue(today):
            return str(_("Overdue"))
        return str(assignment.get_status_display())

    def acknowledged(assignment: Assignment) -> str:
        if assignment.completion is not None:
            return ", ".join(f"{v.policy} v{v.number}" for v in assignment.completion.versions.all())
        if assignment.acknowledgement is not None:
            return f"{assignment.version.policy} v{assignment.acknowledgement.version.number}"  # type: ignore[union-attr]
        return ""

    def local(moment: Any) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""

    rows = (
        [
            assignment.user.get_full_name(),
            assignment.user.email,
            ", ".join(group.name for group in assignment.user.groups.all()),
            str(_("Active")) if assignment.user.is_active else str(_("Deactivated")),
            assignment.subject,
            assignment.get_reason_display(),
            local(assignment.assigned_at),
            assignment.due_date.isoformat(),
            status(assignment),
            local(assignment.completed_at),
            assignment.completion.score if assignment.completion and assignment.completion.score is not None else "",
            acknowledged(assignment),
            assignment.completion.expires_on.isoformat()
            if assignment.completion and assignment.completion.expires_on
            else "",
        ]
        for assignment in selectors.evidence_rows(request.user)
    )
    return _export(export, f"training-evidence-{today.isoformat()}", _("Training evidence"), header, rows)


@login_required
def person_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One person's training record (printable): assignments, quiz attempts, completions, acknowledgements."""
    person = selectors.person_for(request.user, pk)
    if person is None:
        raise Http404
    return render(
        request,
        "training/person_record.html",
        {
            "record": selectors.person_record(person),
            "can_view_compliance": training_policy.can_view_compliance(request.user),
            "today": timezone.localdate(),
            "printed_at": timezone.now(),
            "active_area": AREA,
        },
    )


@login_required
def settings_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not training_policy.can_change_settings(request.user):
        raise Http404
    form = SettingsForm(posted(request), instance=TrainingSettings.current())
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(by=request.user, onboarding_due_days=form.cleaned_data["onboarding_due_days"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("training")
    return render(request, "training/settings_form.html", {"form": form, "active_area": AREA})
