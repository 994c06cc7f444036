"""Reads of reviews, action items and team meetings, filtered by the reader's reach, at a fixed query count."""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User

from .models import ActionItem, AgendaSection, ReviewMeeting, TeamMeeting
from .policies import action_policy, review_policy, team_meeting_policy


def reviews_visible_to(reader: Any, filters: dict[str, Any] | None = None) -> QuerySet[ReviewMeeting]:
    filters = filters or {}
    meetings = review_policy.visible(
        reader,
        ReviewMeeting.objects.select_related("chair").annotate(
            action_count=Count("actions", distinct=True),
            open_action_count=Count("actions", filter=~Q(actions__status__in=ActionItem.CLOSED), distinct=True),
        ),
    )
    if filters.get("q"):
        meetings = meetings.filter(title__icontains=filters["q"])
    if filters.get("status"):
        meetings = meetings.filter(status=filters["status"])
    return meetings.order_by("-date", "-id")


def review_for(reader: Any, pk: int) -> ReviewMeeting | None:
    meetings = ReviewMeeting.objects.select_related("chair", "planned_by", "held_by", "approved_by").prefetch_related(
        "attendees"
    )
    return review_policy.visible(reader, meetings).filter(pk=pk).first()


def sections_of(meeting: ReviewMeeting) -> list[AgendaSection]:
    return list(AgendaSection.objects.filter(meeting=meeting).order_by("section"))


def actions_of_meeting(meeting: ReviewMeeting) -> list[ActionItem]:
    return list(ActionItem.objects.filter(meeting=meeting).select_related("owner").order_by("due_date", "id"))


def actions_visible_to(reader: Any, filters: dict[str, Any] | None = None) -> QuerySet[ActionItem]:
    filters = filters or {}
    actions = action_policy.visible(reader, ActionItem.objects.select_related("owner", "meeting", "issue__meeting"))
    if filters.get("q"):
        actions = actions.filter(title__icontains=filters["q"])
    status = filters.get("status")
    if status == "not_closed":
        actions = actions.exclude(status__in=ActionItem.CLOSED)
    elif status:
        actions = actions.filter(status=status)
    if filters.get("owner"):
        actions = actions.filter(owner=filters["owner"])
    if filters.get("overdue"):
        actions = actions.exclude(status__in=ActionItem.CLOSED).filter(due_date__lt=timezone.localdate())
    return actions.order_by("due_date", "id")


def action_owners_visible_to(reader: Any) -> QuerySet[User]:
    actions = action_policy.visible(reader, ActionItem.objects.all())
    return User.objects.filter(pk__in=actions.values("owner")).order_by("full_name", "email")


def action_for(reader: Any, pk: int) -> ActionItem | None:
    actions = ActionItem.objects.select_related("owner", "meeting", "issue__meeting", "created_by")
    return action_policy.visible(reader, actions).filter(pk=pk).first()


def team_meetings_visible_to(reader: Any, filters: dict[str, Any] | None = None) -> QuerySet[TeamMeeting]:
    filters = filters or {}
    meetings = team_meeting_policy.visible(
        reader,
        TeamMeeting.objects.select_related("recorded_by").annotate(
            issue_count=Count("issues", distinct=True),
            open_issue_count=Count("issues", filter=Q(issues__outcome="open"), distinct=True),
        ),
    )
    if filters.get("q"):
        q = filters["q"]
        meetings = meetings.filter(
            Q(notes__icontains=q) | Q(team__icontains=q) | Q(issues__text__icontains=q)
        ).distinct()
    if filters.get("team"):
        meetings = meetings.filter(team__icontains=filters["team"])
    return meetings.order_by("-date", "-id")


def team_meeting_for(reader: Any, pk: int) -> TeamMeeting | None:
    meetings = TeamMeeting.objects.select_related("recorded_by").prefetch_related("attendees", "issues__action__owner")
    return team_meeting_policy.visible(reader, meetings).filter(pk=pk).first()
