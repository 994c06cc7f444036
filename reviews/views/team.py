"""Team meeting records (information security as a standing item) and what becomes of the issues raised."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.selectors import history_of
from core.http import AuthenticatedHttpRequest, form_save, posted
from core.lists import Columns, filter_values, list_page

from .. import escalation, selectors, services
from ..forms import ActionForm, IssueForm, IssueIncidentForm, TeamMeetingFilterForm, TeamMeetingForm
from ..models import RaisedIssue, TeamMeeting
from ..policies import review_policy, team_meeting_policy

PAGE_SIZE = 25


def incidents_available() -> bool:
    return escalation.incident_reporter() is not None


@login_required
def team_meeting_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not team_meeting_policy.can_view_any(request.user):
        raise Http404
    filters = TeamMeetingFilterForm(request.GET or None)
    meetings = selectors.team_meetings_visible_to(request.user, filter_values(filters))
    export = Columns(
        sheet=_("Team meetings"),
        filename="team-meetings",
        header=[_("Date"), _("Team"), _("Notes"), _("Raised issues"), _("Open issues"), _("Recorded by")],
        row=lambda m: [
            m.date.isoformat(),
            m.team,
            m.notes,
            m.issue_count,
            m.open_issue_count,
            m.recorded_by.get_full_name(),
        ],
    )

    def context(page: Page[Any]) -> dict[str, Any]:  # after the export: its queries only for the page
        return {
            "can_record": team_meeting_policy.can_record(request.user),
            "can_view_reviews": review_policy.can_view_any(request.user),
            "active_area": "reviews",
        }

    return list_page(
        request,
        "reviews/team_meeting_list.html",
        meetings,
        size=PAGE_SIZE,
        filters=filters,
        export=export,
        context=context,
    )


@login_required
def team_meeting_record(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not team_meeting_policy.can_record(request.user):
        raise Http404
    form = TeamMeetingForm(posted(request))
    meeting = form_save(request, form, lambda fields: services.team_meeting_record(by=request.user, **fields))
    if meeting:
        messages.success(request, _("Team meeting recorded. Add the issues raised below."))
        return redirect(meeting)
    return render(request, "reviews/team_meeting_form.html", {"form": form, "active_area": "reviews"})


def _reachable(request: AuthenticatedHttpRequest, pk: int) -> TeamMeeting:
    meeting = selectors.team_meeting_for(request.user, pk)
    if meeting is None:
        raise Http404
    request.audit_object = meeting
    return meeting


def _detail(
    request: AuthenticatedHttpRequest, meeting: TeamMeeting, *, issue_form: IssueForm | None = None
) -> HttpResponse:
    return render(
        request,
        "reviews/team_meeting_detail.html",
        {
            "meeting": meeting,
            "issues": list(meeting.issues.all()),
            "can_change": team_meeting_policy.can_change(request.user, meeting),
            "incidents_available": incidents_available(),
            "issue_form": issue_form or IssueForm(),
            "history": history_of(request.user, meeting)[:30],
            "active_area": "reviews",
        },
        status=400 if issue_form is not None else 200,
    )


@login_required
def team_meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _reachable(request, pk))


@login_required
def team_meeting_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _reachable(request, pk)
    if not team_meeting_policy.can_change(request.user, meeting):
        raise Http404
    form = TeamMeetingForm(posted(request), instance=TeamMeeting.objects.get(pk=meeting.pk))
    user = request.user
    if form_save(request, form, lambda fields: services.team_meeting_update(meeting=meeting, by=user, **fields)):
        messages.success(request, _("Saved."))
        return redirect(meeting)
    return render(
        request, "reviews/team_meeting_form.html", {"form": form, "meeting": meeting, "active_area": "reviews"}
    )


@require_POST
@login_required
def issue_raise(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _reachable(request, pk)
    if not team_meeting_policy.can_change(request.user, meeting):
        raise Http404
    form = IssueForm(request.POST)
    if form.is_valid():
        services.issue_raise(meeting=meeting, by=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Issue added."))
        return redirect(f"{meeting.get_absolute_url()}#issues")
    return _detail(request, meeting, issue_form=form)


def _open_issue(request: AuthenticatedHttpRequest, pk: int, issue_pk: int) -> tuple[TeamMeeting, RaisedIssue]:
    meeting = _reachable(request, pk)
    issue = RaisedIssue.objects.filter(meeting=meeting, pk=issue_pk).first()
    if issue is None or not team_meeting_policy.can_change(request.user, meeting):
        raise Http404
    issue.meeting = meeting
    return meeting, issue


@login_required
def issue_incident(request: AuthenticatedHttpRequest, pk: int, issue_pk: int) -> HttpResponse:
    """Report a raised issue as an incident (a confirmation form with the incident's title)."""
    meeting, issue = _open_issue(request, pk, issue_pk)
    if not incidents_available():
        raise Http404
    form = IssueIncidentForm(posted(request), initial={"title": issue.text[:200]})
    if request.method == "POST" and form.is_valid():
        try:
            issue = services.issue_to_incident(issue=issue, by=request.user, **form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(
                request, _("Reported as incident %(reference)s.") % {"reference": issue.incident_reference}
            )
            return redirect(f"{meeting.get_absolute_url()}#issues")
    return render(
        request,
        "reviews/issue_convert.html",
        {"meeting": meeting, "issue": issue, "form": form, "kind": "incident", "active_area": "reviews"},
        status=400 if form.errors else 200,
    )


@login_required
def issue_action(request: AuthenticatedHttpRequest, pk: int, issue_pk: int) -> HttpResponse:
    """Make a raised issue an action item (owner, due date); it reaches the next management review's section (a)."""
    meeting, issue = _open_issue(request, pk, issue_pk)
    form = ActionForm(posted(request), initial={"title": issue.text[:300]})
    if request.method == "POST" and form.is_valid():
        try:
            action = services.issue_to_action(issue=issue, by=request.user, **form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(request, _("Action item “%(title)s” created.") % {"title": action.title})
            return redirect(f"{meeting.get_absolute_url()}#issues")
    return render(
        request,
        "reviews/issue_convert.html",
        {"meeting": meeting, "issue": issue, "form": form, "kind": "action", "active_area": "reviews"},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def issue_note(request: AuthenticatedHttpRequest, pk: int, issue_pk: int) -> HttpResponse:
    meeting, issue = _open_issue(request, pk, issue_pk)
    try:
        services.issue_note(issue=issue, by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    return redirect(f"{meeting.get_absolute_url()}#issues")
