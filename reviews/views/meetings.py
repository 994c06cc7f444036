"""Management review pages: list, plan, the meeting (agenda and minutes), hold, approve, printable minutes."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.selectors import history_of
from core.http import AuthenticatedHttpRequest, form_save, posted
from core.lists import Columns, filter_values, list_page

from .. import selectors, services
from ..agenda import agenda_of
from ..forms import ActionForm, DecisionForm, ReviewFilterForm, ReviewForm, SectionForm
from ..models import AgendaSection, Decision, ReviewMeeting
from ..policies import review_policy, team_meeting_policy

PAGE_SIZE = 25


@login_required
def reviews_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The Reviews area: the meetings for those who read them, else team meetings, else one's own actions."""
    if review_policy.can_view_any(request.user):
        return review_list(request)
    if team_meeting_policy.can_view_any(request.user):
        return redirect("team_meetings")
    return redirect("review_actions")


def review_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not review_policy.can_view_any(request.user):
        raise Http404
    filters = ReviewFilterForm(request.GET or None)
    meetings = selectors.reviews_visible_to(request.user, filter_values(filters))
    export = Columns(
        sheet=_("Management reviews"),
        filename="reviews",
        header=[_("Title"), _("Date"), _("Status"), _("Chair"), _("Actions"), _("Open actions")],
        row=lambda m: [
            m.title,
            m.date.isoformat(),
            m.get_status_display(),
            m.chair.get_full_name(),
            m.action_count,
            m.open_action_count,
        ],
    )

    def context(page: Page[Any]) -> dict[str, Any]:  # after the export: its queries only for the page
        return {
            "can_plan": review_policy.can_plan(request.user),
            "can_view_team_meetings": team_meeting_policy.can_view_any(request.user),
            "active_area": "reviews",
        }

    return list_page(
        request, "reviews/review_list.html", meetings, size=PAGE_SIZE, filters=filters, export=export, context=context
    )


@login_required
def review_plan(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not review_policy.can_plan(request.user):
        raise Http404
    form = ReviewForm(posted(request), initial={"chair": request.user})
    meeting = form_save(request, form, lambda fields: services.review_plan(by=request.user, **fields))
    if meeting:
        messages.success(request, _("Review planned; its agenda is built from the portal's figures."))
        return redirect(meeting)
    return render(request, "reviews/review_form.html", {"form": form, "active_area": "reviews"})


def _reachable(request: AuthenticatedHttpRequest, pk: int) -> ReviewMeeting:
    meeting = selectors.review_for(request.user, pk)
    if meeting is None:
        raise Http404
    request.audit_object = meeting
    return meeting


@login_required
def review_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _reachable(request, pk)
    if not review_policy.can_change(request.user, meeting):
        raise Http404
    form = ReviewForm(posted(request), instance=ReviewMeeting.objects.get(pk=meeting.pk))
    if not meeting.is_planned:
        form.fields["date"].disabled = True
    if form_save(request, form, lambda fields: services.review_update(meeting=meeting, by=request.user, **fields)):
        messages.success(request, _("Saved."))
        return redirect(meeting)
    return render(request, "reviews/review_form.html", {"form": form, "meeting": meeting, "active_area": "reviews"})


def _detail(
    request: AuthenticatedHttpRequest,
    meeting: ReviewMeeting,
    *,
    decision_form: DecisionForm | None = None,
    action_form: ActionForm | None = None,
    section_error: tuple[str, str] | None = None,
    template: str = "reviews/review_detail.html",
    status: int = 200,
) -> HttpResponse:
    sections = selectors.sections_of(meeting)
    can_change = review_policy.can_change(request.user, meeting)
    return render(
        request,
        template,
        {
            "meeting": meeting,
            "agenda": agenda_of(meeting, sections),
            "decisions": list(meeting.decisions.select_related("created_by")),
            "actions": selectors.actions_of_meeting(meeting),
            "today": timezone.localdate(),
            "can_change": can_change,
            "can_prepare": review_policy.can_prepare(request.user, meeting),
            "can_minute": review_policy.can_minute(request.user, meeting),
            "can_hold": review_policy.can_hold(request.user, meeting),
            "can_approve": review_policy.can_approve(request.user, meeting),
            "decision_form": decision_form or DecisionForm(),
            "action_form": action_form or ActionForm(),
            "section_error": section_error,
            "history": history_of(request.user, meeting)[:30],
            "active_area": "reviews",
        },
        status=status,
    )


@login_required
def review_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _reachable(request, pk))


@login_required
def review_minutes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The minutes as one printable page (agenda figures, notes, decisions, actions, sign-off)."""
    return _detail(request, _reachable(request, pk), template="reviews/review_minutes.html")


@login_required
def review_hold(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark as held, after a confirmation page: the agenda's figures are frozen from then on."""
    meeting = _reachable(request, pk)
    if not review_policy.can_hold(request.user, meeting):
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            services.review_hold(meeting=meeting, by=request.user)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, _("Marked as held. The agenda's figures are frozen; write the minutes below."))
            return redirect(meeting)
    return render(
        request,
        "reviews/review_confirm.html",
        {
            "meeting": meeting,
            "heading": _("Mark “%(review)s” as held?") % {"review": meeting.title},
            "text": _(
                "The figures on the agenda are frozen as they stand now and no longer follow later changes. "
                "Decisions, action items and the notes of each section are recorded afterwards."
            ),
            "button": _("Mark as held"),
            "error": error,
            "active_area": "reviews",
        },
        status=400 if error else 200,
    )


@login_required
def review_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _reachable(request, pk)
    if not review_policy.can_approve(request.user, meeting):
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            services.review_approve(meeting=meeting, by=request.user)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, _("Minutes approved."))
            return redirect(meeting)
    return render(
        request,
        "reviews/review_confirm.html",
        {
            "meeting": meeting,
            "heading": _("Approve the minutes of “%(review)s”?") % {"review": meeting.title},
            "text": _(
                "Approved minutes are final: sections, decisions and action items can no longer be changed. "
                "The action items stay open until their owners close them."
            ),
            "button": _("Approve the minutes"),
            "error": error,
            "active_area": "reviews",
        },
        status=400 if error else 200,
    )


@require_POST
@login_required
def section_update(request: AuthenticatedHttpRequest, pk: int, section: str) -> HttpResponse:
    meeting = _reachable(request, pk)
    record = AgendaSection.objects.filter(meeting=meeting, section=section).first()
    if record is None or not review_policy.can_change(request.user, meeting):
        raise Http404
    record.meeting = meeting
    form = SectionForm(request.POST)
    field = "input" if meeting.is_planned else "notes"
    if form.is_valid():
        try:
            services.section_update(section=record, by=request.user, **{field: form.cleaned_data["text"]})
        except ValidationError as refusal:
            return _detail(request, meeting, section_error=(section, " ".join(refusal.messages)), status=400)
        messages.success(request, _("Section (%(section)s) saved.") % {"section": section})
        return redirect(f"{meeting.get_absolute_url()}#section-{section}")
    return _detail(
        request,
        meeting,
        section_error=(section, " ".join(str(error) for error in form.errors.get("text", []))),
        status=400,
    )


@require_POST
@login_required
def decision_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _reachable(request, pk)
    if not review_policy.can_change(request.user, meeting):
        raise Http404
    form = DecisionForm(request.POST)
    if form_save(request, form, lambda fields: services.decision_add(meeting=meeting, by=request.user, **fields)):
        messages.success(request, _("Decision recorded."))
        return redirect(f"{meeting.get_absolute_url()}#decisions")
    return _detail(request, meeting, decision_form=form, status=400)


@login_required
def decision_remove(request: AuthenticatedHttpRequest, pk: int, decision_pk: int) -> HttpResponse:
    meeting = _reachable(request, pk)
    decision = Decision.objects.filter(meeting=meeting, pk=decision_pk).first()
    if decision is None or not review_policy.can_minute(request.user, meeting):
        raise Http404
    if request.method == "POST":
        decision.meeting = meeting
        services.decision_remove(decision=decision, by=request.user)
        messages.success(request, _("Decision removed."))
        return redirect(f"{meeting.get_absolute_url()}#decisions")
    return render(
        request,
        "reviews/review_confirm.html",
        {
            "meeting": meeting,
            "heading": _("Remove this decision?"),
            "text": decision.text,
            "button": _("Remove the decision"),
            "danger": True,
            "error": "",
            "active_area": "reviews",
        },
    )


@require_POST
@login_required
def action_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _reachable(request, pk)
    if not review_policy.can_change(request.user, meeting):
        raise Http404
    form = ActionForm(request.POST)
    if form_save(request, form, lambda fields: services.action_add(meeting=meeting, by=request.user, **fields)):
        messages.success(request, _("Action item added."))
        return redirect(f"{meeting.get_absolute_url()}#actions")
    return _detail(request, meeting, action_form=form, status=400)
