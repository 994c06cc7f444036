"""Writes on management reviews, their minutes and actions, and team meeting records: atomic, checked, audited."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from accounts.models import User
from actions.services import action_items_hand_over
from audit.services import changes_between
from core.unset import UNSET, Unset

from . import escalation
from .agenda import snapshot_take
from .models import ActionItem, AgendaSection, Decision, RaisedIssue, ReviewMeeting, Section, TeamMeeting
from .policies import action_policy, review_policy, team_meeting_policy


def _people(users: Iterable[User]) -> list[str]:
    return sorted(user.email for user in users)


def _meeting_snapshot(meeting: ReviewMeeting) -> dict[str, Any]:
    return {
        "title": meeting.title,
        "date": meeting.date.isoformat() if meeting.date else None,
        "chair": meeting.chair.email,
        "attendees": _people(meeting.attendees.all()),
    }


@transaction.atomic
def review_plan(*, by: User, title: str, date: dt.date, chair: User, attendees: Iterable[User] = ()) -> ReviewMeeting:
    """Plan a review; its agenda (one section per §9.3.2 input) is created with it."""
    if not review_policy.can_plan(by):
        raise PermissionDenied
    meeting = ReviewMeeting(title=title.strip(), date=date, chair=chair, planned_by=by)
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(list(attendees))
    AgendaSection.objects.bulk_create(AgendaSection(meeting=meeting, section=value) for value in Section.values)
    audit.record(
        actor=by,
        action="review.planned",
        obj=meeting,
        changes=changes_between({}, {k: v for k, v in _meeting_snapshot(meeting).items() if v not in ([], "")}),
    )
    return meeting


@transaction.atomic
def review_update(
    *,
    meeting: ReviewMeeting,
    by: User,
    title: str | Unset = UNSET,
    date: dt.date | Unset = UNSET,
    chair: User | Unset = UNSET,
    attendees: Iterable[User] | Unset = UNSET,
) -> ReviewMeeting:
    """Change the plan (title, date, chair, attendees); the date only while the review is planned."""
    if not review_policy.can_change(by, meeting):
        raise PermissionDenied
    if date is not UNSET and date != meeting.date and not meeting.is_planned:
        raise ValidationError(_("The date of a held review cannot change."))
    before = _meeting_snapshot(meeting)
    if title is not UNSET:
        meeting.title = title.strip()
    if date is not UNSET:
        meeting.date = date
    if chair is not UNSET:
        meeting.chair = chair
    meeting.full_clean()
    meeting.save()
    if attendees is not UNSET:
        meeting.attendees.set(list(attendees))
    changes = changes_between(before, _meeting_snapshot(meeting))
    if changes:
        audit.record(actor=by, action="review.updated", obj=meeting, changes=changes)
    return meeting


@transaction.atomic
def review_hold(*, meeting: ReviewMeeting, by: User) -> ReviewMeeting:
    """Planned → held: freeze the agenda's figures as they stand now."""
    meeting = ReviewMeeting.objects.select_for_update().get(pk=meeting.pk)
    if not review_policy.can_hold_any(by):
        raise PermissionDenied
    meeting.hold(by=by, snapshot=snapshot_take(meeting), today=timezone.localdate())
    meeting.save()
    audit.record(
        actor=by,
        action="review.held",
        obj=meeting,
        changes={"status": [ReviewMeeting.Status.PLANNED, ReviewMeeting.Status.HELD]},
    )
    return meeting


@transaction.atomic
def review_approve(*, meeting: ReviewMeeting, by: User) -> ReviewMeeting:
    """Held → minutes approved, by a Management member."""
    meeting = ReviewMeeting.objects.select_for_update().get(pk=meeting.pk)
    if not review_policy.can_approve_any(by):
        raise PermissionDenied
    meeting.approve(by=by)
    meeting.save()
    audit.record(
        actor=by,
        action="review.minutes_approved",
        obj=meeting,
        changes={"status": [ReviewMeeting.Status.HELD, ReviewMeeting.Status.APPROVED]},
    )
    return meeting


@transaction.atomic
def section_update(
    *, section: AgendaSection, by: User, input: str | None = None, notes: str | None = None
) -> AgendaSection:
    """Prepared input while planned; the minutes' notes once held; nothing after approval."""
    meeting = section.meeting
    if not review_policy.can_change(by, meeting):
        raise PermissionDenied
    before = {"input": section.input, "notes": section.notes}
    if input is not None:
        if not meeting.is_planned and input.strip() != section.input:
            raise ValidationError(_("The agenda is frozen once the review is held; write in the minutes instead."))
        section.input = input.strip()
    if notes is not None:
        if not meeting.is_held and notes.strip() != section.notes:
            raise ValidationError(_("Minutes are written once the review is held."))
        section.notes = notes.strip()
    section.save()
    changes = changes_between(before, {"input": section.input, "notes": section.notes})
    if changes:
        audit.record(
            actor=by,
            action="review.section_updated",
            obj=meeting,
            object_label=f"{meeting} · ({section.section})",
            changes=changes,
        )
    return section


def _minutes_open(meeting: ReviewMeeting, by: User) -> None:
    if not review_policy.can_change(by, meeting):
        raise PermissionDenied
    if not meeting.is_held:
        raise ValidationError(_("Decisions and actions are recorded once the review is held."))


@transaction.atomic
def decision_add(*, meeting: ReviewMeeting, by: User, kind: str, text: str) -> Decision:
    _minutes_open(meeting, by)
    decision = Decision(meeting=meeting, kind=kind, text=text.strip(), created_by=by)
    decision.full_clean()
    decision.save()
    audit.record(
        actor=by,
        action="review.decision_added",
        obj=meeting,
        changes={"decision": [None, f"{decision.get_kind_display()}: {decision.text}"]},
    )
    return decision


@transaction.atomic
def decision_remove(*, decision: Decision, by: User) -> None:
    meeting = decision.meeting
    _minutes_open(meeting, by)
    text = f"{decision.get_kind_display()}: {decision.text}"
    decision.delete()
    audit.record(actor=by, action="review.decision_removed", obj=meeting, changes={"decision": [text, None]})


def _action_snapshot(action: ActionItem) -> dict[str, Any]:
    return {
        "title": action.title,
        "owner": action.owner.email,
        "due_date": action.due_date.isoformat(),
        "status": action.status,
    }


@transaction.atomic
def action_add(*, meeting: ReviewMeeting, by: User, title: str, owner: User, due_date: dt.date) -> ActionItem:
    """An action item of the review's minutes; it shows in section (a) of later reviews until closed."""
    _minutes_open(meeting, by)
    action = ActionItem(meeting=meeting, title=title.strip(), owner=owner, due_date=due_date, created_by=by)
    action.full_clean()
    action.save()
    audit.record(
        actor=by, action="review_action.created", obj=action, changes=changes_between({}, _action_snapshot(action))
    )
    audit.record(actor=by, action="review.action_added", obj=meeting, changes={"action": [None, action.title]})
    return action


@transaction.atomic
def action_update(
    *, action: ActionItem, by: User, status: str, owner: User | None = None, due_date: dt.date | None = None
) -> ActionItem:
    """Status by the owner or the minute-takers; owner and due date by the minute-takers only."""
    if not action_policy.can_update(by, action):
        raise PermissionDenied
    before = _action_snapshot(action)
    dropping = status == ActionItem.Status.DROPPED and action.status != ActionItem.Status.DROPPED
    if dropping and not action_policy.can_drop(by, action):
        raise ValidationError(
            _("Only those who keep the minutes can drop an action item: mark it done, or ask them to drop it.")
        )
    if (owner is not None and owner != action.owner) or (due_date is not None and due_date != action.due_date):
        if not action_policy.can_reassign(by, action):
            raise PermissionDenied
        action.owner = owner or action.owner
        action.due_date = due_date or action.due_date
    action.status_set(status)
    action.full_clean()
    action.save()
    changes = changes_between(before, _action_snapshot(action))
    if changes:
        audit.record(actor=by, action="review_action.updated", obj=action, changes=changes)
    return action


def actions_reassign(user: User, to: User) -> int:
    """Offboarding: hand every open action ``user`` owns to ``to``, each hand-over on the record."""
    return action_items_hand_over(
        actions=ActionItem.objects.all(), user=user, to=to, audit_action="review_action.owner_changed"
    )


# Team meeting records.


def _team_snapshot(meeting: TeamMeeting) -> dict[str, Any]:
    return {
        "date": meeting.date.isoformat() if meeting.date else None,
        "team": meeting.team,
        "notes": meeting.notes,
        "attendees": _people(meeting.attendees.all()),
    }


@transaction.atomic
def team_meeting_record(
    *, by: User, date: dt.date, team: str, notes: str = "", attendees: Iterable[User] = ()
) -> TeamMeeting:
    if not team_meeting_policy.can_record(by):
        raise PermissionDenied
    meeting = TeamMeeting(date=date, team=team.strip(), notes=notes.strip(), recorded_by=by)
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(list(attendees))
    filled = {k: v for k, v in _team_snapshot(meeting).items() if v not in ("", [], None)}
    audit.record(actor=by, action="team_meeting.recorded", obj=meeting, changes=changes_between({}, filled))
    return meeting


@transaction.atomic
def team_meeting_update(
    *,
    meeting: TeamMeeting,
    by: User,
    date: dt.date | Unset = UNSET,
    team: str | Unset = UNSET,
    notes: str | Unset = UNSET,
    attendees: Iterable[User] | Unset = UNSET,
) -> TeamMeeting:
    if not team_meeting_policy.can_change(by, meeting):
        raise PermissionDenied
    before = _team_snapshot(meeting)
    if date is not UNSET:
        meeting.date = date
    if team is not UNSET:
        meeting.team = team.strip()
    if notes is not UNSET:
        meeting.notes = notes.strip()
    meeting.full_clean()
    meeting.save()
    if attendees is not UNSET:
        meeting.attendees.set(list(attendees))
    changes = changes_between(before, _team_snapshot(meeting))
    if changes:
        audit.record(actor=by, action="team_meeting.updated", obj=meeting, changes=changes)
    return meeting


@transaction.atomic
def issue_raise(*, meeting: TeamMeeting, by: User, text: str) -> RaisedIssue:
    if not team_meeting_policy.can_change(by, meeting):
        raise PermissionDenied
    issue = RaisedIssue(meeting=meeting, text=text.strip(), raised_by=by)
    issue.full_clean()
    issue.save()
    audit.record(actor=by, action="team_meeting.issue_raised", obj=meeting, changes={"issue": [None, issue.text]})
    return issue


def _issue_open(issue: RaisedIssue, by: User) -> None:
    if not team_meeting_policy.can_change(by, issue.meeting):
        raise PermissionDenied
    if issue.outcome != RaisedIssue.Outcome.OPEN:
        raise ValidationError(_("This issue has already been dealt with."))


@transaction.atomic
def issue_to_incident(*, issue: RaisedIssue, by: User, title: str, affected: str = "") -> RaisedIssue:
    """Report the issue as an incident in the incident log (as reported by ``by``)."""
    incident_report = escalation.incident_reporter()
    if incident_report is None:
        raise ValidationError(_("There is no incident log to report this issue to."))
    issue = RaisedIssue.objects.select_for_update().select_related("meeting").get(pk=issue.pk)
    _issue_open(issue, by)
    description = _("Raised at the %(team)s team meeting on %(date)s:\n\n%(text)s") % {
        "team": issue.meeting.team,
        "date": f"{issue.meeting.date:%Y-%m-%d}",
        "text": issue.text,
    }
    incident = incident_report(
        by=by, title=title.strip() or issue.text[:200], description=description, affected=affected
    )
    issue.outcome = RaisedIssue.Outcome.INCIDENT
    issue.incident_reference = str(getattr(incident, "reference", "") or incident.pk)[:40]
    issue.incident_link = incident.get_absolute_url() if hasattr(incident, "get_absolute_url") else ""
    issue.save(update_fields=["outcome", "incident_reference", "incident_link"])
    audit.record(
        actor=by,
        action="team_meeting.issue_to_incident",
        obj=issue.meeting,
        changes={"issue": [issue.text, issue.incident_reference]},
    )
    return issue


@transaction.atomic
def issue_to_action(*, issue: RaisedIssue, by: User, title: str, owner: User, due_date: dt.date) -> ActionItem:
    """Make the issue an action item; it shows in section (a) of the next management review until closed."""
    issue = RaisedIssue.objects.select_for_update().select_related("meeting").get(pk=issue.pk)
    _issue_open(issue, by)
    action = ActionItem(
        issue=issue, title=(title.strip() or issue.text[:300]), owner=owner, due_date=due_date, created_by=by
    )
    action.full_clean()
    action.save()
    issue.outcome = RaisedIssue.Outcome.ACTION
    issue.save(update_fields=["outcome"])
    audit.record(
        actor=by, action="review_action.created", obj=action, changes=changes_between({}, _action_snapshot(action))
    )
    audit.record(
        actor=by,
        action="team_meeting.issue_to_action",
        obj=issue.meeting,
        changes={"issue": [issue.text, action.title]},
    )
    return action


@transaction.atomic
def issue_note(*, issue: RaisedIssue, by: User) -> RaisedIssue:
    """Nothing to do: the issue is noted and closed."""
    issue = RaisedIssue.objects.select_for_update().select_related("meeting").get(pk=issue.pk)
    _issue_open(issue, by)
    issue.outcome = RaisedIssue.Outcome.NOTED
    issue.save(update_fields=["outcome"])
    audit.record(
        actor=by, action="team_meeting.issue_noted", obj=issue.meeting, changes={"issue": [issue.text, _("noted")]}
    )
    return issue
