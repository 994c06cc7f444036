"""The incident log pages: list, report, detail, edit, and the actions posted from the detail page."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.selectors import history_of
from core.http import AuthenticatedHttpRequest, posted
from core.lists import filter_values, list_page

from .. import exports, selectors, services
from ..attachments import ALLOWED_LABEL, max_bytes, size_label
from ..forms import (
    ACTION_STATUSES,
    ActionForm,
    AttachmentForm,
    BreachForm,
    IncidentFilterForm,
    IncidentForm,
    ReopenForm,
    ReportForm,
    RiskLinkForm,
    TimelineForm,
    TransitionForm,
)
from ..models import SEVERITY_DEFINITIONS, CorrectiveAction, Incident, Severity, Status
from ..policies import incident_policy

PAGE_SIZE = 50
TRANSITION_LABELS: dict[str, Any] = {
    Status.TRIAGED: gettext_lazy("Triage"),
    Status.CONTAINED: gettext_lazy("Mark contained"),
    Status.RESOLVED: gettext_lazy("Mark resolved"),
    Status.CLOSED: gettext_lazy("Close"),
}


def _incident_or_404(request: AuthenticatedHttpRequest, pk: int) -> Incident:
    incident = selectors.incident_for(request.user, pk)
    if incident is None:
        raise Http404
    return incident


def duration_label(delta: dt.timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}


@login_required
def incident_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = IncidentFilterForm(request.GET or None)
    if not incident_policy.sees_all(request.user):
        del filters.fields["assignee"]  # its choices would name people on incidents out of reach
    incidents = selectors.incidents_visible_to(request.user, filter_values(filters))
    return list_page(
        request,
        "incidents/incident_list.html",
        incidents,
        size=PAGE_SIZE,
        filters=filters,
        export={"csv": exports.as_csv, "xlsx": exports.as_xlsx},
        context=lambda page: {
            "sees_all": incident_policy.sees_all(request.user),
            "can_view_dashboard": incident_policy.can_view_dashboard(request.user),
            "now": timezone.now(),
            "active_area": "incidents",
        },
    )


@login_required
def incident_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not incident_policy.can_report(request.user):
        raise Http404
    form = ReportForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_report(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Thank you. Your report is %(reference)s; the incident team has it now.")
                % {"reference": incident.reference},
            )
            return redirect(incident)
    return render(
        request,
        "incidents/incident_report.html",
        {"form": form, "severity_definitions": _severity_definitions(), "active_area": "incidents"},
    )


def _severity_definitions() -> list[tuple[str, str]]:
    return [(str(Severity(level).label), str(text)) for level, text in SEVERITY_DEFINITIONS.items()]


def _timeline(incident: Incident) -> list[dict[str, Any]]:
    """Notes and workflow moves together, in time order."""
    events: list[dict[str, Any]] = [
        {"at": entry.at, "who": entry.author, "text": entry.text, "kind": "note"} for entry in incident.timeline.all()
    ]
    for change in incident.status_changes.all():
        events.append({"at": change.at, "who": change.by, "change": change, "kind": "status"})
    return sorted(events, key=lambda event: event["at"])


def _breach(incident: Incident, now: dt.datetime) -> dict[str, Any] | None:
    deadline = incident.breach_deadline
    if deadline is None:
        return None
    left = deadline - now
    return {
        "deadline": deadline,
        "overdue": left.total_seconds() < 0,
        "left": duration_label(left),
        "urgent": dt.timedelta(0) <= left <= dt.timedelta(hours=24),
        "decided": incident.authority_decided,
        "notified_late": bool(incident.authority_notified_at and incident.authority_notified_at > deadline),
    }


@login_required
def incident_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = _incident_or_404(request, pk)
    request.audit_object = incident
    user = request.user
    can_handle = incident_policy.can_handle(user, incident)
    can_edit = incident_policy.can_edit(user, incident)
    now = timezone.now()
    transitions = [(value, TRANSITION_LABELS[value]) for value in incident.allowed_transitions()] if can_handle else []
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "can_handle": can_edit,
            "can_contribute": incident_policy.can_add_to(user, incident),
            "can_reopen": incident_policy.can_reopen(user, incident),
            "transitions": transitions,
            "transition_form": TransitionForm(initial={"severity": incident.severity, "assignee": incident.assignee}),
            "reopen_form": ReopenForm(),
            "breach": _breach(incident, now),
            "breach_form": BreachForm(instance=incident) if can_edit else None,
            "timeline": _timeline(incident),
            "timeline_form": TimelineForm(),
            "actions": incident.actions.all(),
            "action_form": ActionForm() if can_edit else None,
            "action_statuses": ACTION_STATUSES,
            "attachments": incident.attachments.all(),
            "attachment_form": AttachmentForm(),
            "attachment_limit": size_label(max_bytes()),
            "attachment_types": ALLOWED_LABEL,
            "risks": selectors.linked_risks_visible_to(user, incident),
            "risk_form": RiskLinkForm(
                risks=selectors.risks_linkable_by(user), initial={"risks": list(incident.risks.all())}
            )
            if can_edit
            else None,
            "severity_definitions": _severity_definitions(),
            "history": history_of(user, incident)[:30],
            "today": timezone.localdate(),
            "active_area": "incidents",
        },
    )


@login_required
def incident_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = _incident_or_404(request, pk)
    if not incident_policy.can_handle(request.user, incident):
        raise Http404
    if incident.is_closed:
        messages.error(request, _("This incident is closed. Reopen it to change it."))
        return redirect(incident)
    can_assign = incident_policy.can_assign(request.user)
    form = IncidentForm(posted(request), instance=Incident.objects.get(pk=incident.pk), can_assign=can_assign)
    if request.method == "POST" and form.is_valid():
        # The form's own fields: without the assignee for those who may not assign.
        fields = {name: form.cleaned_data[name] for name in form.fields}
        try:
            services.incident_update(incident=incident, by=request.user, **fields)
        except PermissionDenied:
            raise Http404
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(incident)
    return render(
        request,
        "incidents/incident_form.html",
        {"form": form, "incident": incident, "active_area": "incidents"},
    )


def _posted_incident(request: AuthenticatedHttpRequest, pk: int) -> Incident:
    if request.method != "POST":
        raise Http404
    return _incident_or_404(request, pk)


def _refusal(request: AuthenticatedHttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@login_required
def incident_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = _posted_incident(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid step."))
        return redirect(incident)
    data = form.cleaned_data
    try:
        services.incident_transition(
            incident=incident,
            by=request.user,
            to=data["to"],
            note=data["note"],
            severity=data["severity"],
            assignee=data["assignee"],
        )
    except PermissionDenied:
        raise Http404
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(
            request,
            _("%(reference)s is now %(status)s.")
            % {
                "reference": incident.reference,
                "status": dict(Status.choices)[data["to"]].lower(),
            },
        )
    return redirect(incident)


@login_required
def incident_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = _posted_incident(request, pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the incident is reopened."))
        return redirect(incident)
    try:
        services.incident_reopen(incident=incident, by=request.user, reason=form.cleaned_data["reason"])
    except PermissionDenied:
        raise Http404
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("%(reference)s is reopened.") % {"reference": incident.reference})
    return redirect(incident)


@login_required
def incident_breach(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = _posted_incident(request, pk)
    form = BreachForm(request.POST, instance=Incident.objects.get(pk=incident.pk))
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect(incident)
    try:
        services.incident_breach_update(
            incident=incident,
            by=request.user,
            **{name: form.cleaned_data[name] for name in BreachForm.Meta.fields},
        )
    except PermissionDenied:
        raise Http404
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Breach record saved."))
    return redirect(incident)


@login_required
def incident_risks(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = _posted_incident(request, pk)
    form = RiskLinkForm(request.POST, risks=selectors.risks_linkable_by(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose risks from the list."))
        return redirect(incident)
    # Links to risks the person cannot see stay as they are.
    hidden = incident.risks.exclude(pk__in=selectors.risks_linkable_by(request.user).values("pk"))
    try:
        services.incident_risks_set(
            incident=incident,
            by=request.user,
            risks=[*form.cleaned_data["risks"], *hidden],
        )
    except PermissionDenied:
        raise Http404
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Linked risks saved."))
    return redirect(incident)


@login_required
def timeline_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = _posted_incident(request, pk)
    form = TimelineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the note (and a valid time, if you give one)."))
        return redirect(incident)
    try:
        services.timeline_add(
            incident=incident,
            by=request.user,
            text=form.cleaned_data["text"],
            at=form.cleaned_data["at"],
        )
    except PermissionDenied:
        raise Http404
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Note added to the timeline."))
    return redirect(incident)


@login_required
def action_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = _posted_incident(request, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the action, its owner and a due date."))
        return redirect(incident)
    try:
        services.action_add(incident=incident, by=request.user, **form.cleaned_data)
    except PermissionDenied:
        raise Http404
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Corrective action added."))
    return redirect(incident)


@login_required
def action_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = CorrectiveAction.objects.select_related("incident").filter(pk=pk).first()
    incident = selectors.incident_for(request.user, action.incident_id) if action else None
    if action is None or incident is None or request.method != "POST":
        raise Http404
    try:
        services.action_status_set(action=action, by=request.user, status=request.POST.get("status", ""))
    except PermissionDenied:
        raise Http404
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Action status saved."))
    return redirect(incident)
