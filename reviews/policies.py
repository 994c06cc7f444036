"""Who may see and change management reviews, their action items and team meeting records.

Management reviews (roles, accounts/roles.py):
* CISO and Security plan them, mark them held and write the minutes (reviews.add/change_reviewmeeting);
* Management reads every review and approves the minutes (reviews.approve_reviewmeeting);
* Auditors read (reviews.view_reviewmeeting); Admin, Operations, Staff and External see none (404).

Action items: whoever reads reviews reads every action; whoever reads team meetings reads the actions
made from raised issues; an action's owner reads their own and keeps its status up to date, as do those
who write minutes.

Team meeting records (the fortnightly security standing item): Operations, Security, the CISO and
Management record and edit them (reviews.add/change_teammeeting); Auditors read them.
"""

from typing import Any

from django.db.models import Q, QuerySet

from .models import ActionItem, ReviewMeeting, TeamMeeting


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


class ReviewPolicy:
    def visible(self, user: Any, meetings: QuerySet[ReviewMeeting]) -> QuerySet[ReviewMeeting]:
        if _active(user) and user.has_perm("reviews.view_reviewmeeting"):
            return meetings
        return meetings.none()

    def can_view_any(self, user: Any) -> bool:
        return _active(user) and user.has_perm("reviews.view_reviewmeeting")

    def can_view(self, user: Any, meeting: ReviewMeeting) -> bool:
        return self.can_view_any(user)

    def can_plan(self, user: Any) -> bool:
        return _active(user) and user.has_perm("reviews.add_reviewmeeting")

    def can_change(self, user: Any, meeting: ReviewMeeting) -> bool:
        """Edit the plan or write the minutes; never once the minutes are approved."""
        return _active(user) and user.has_perm("reviews.change_reviewmeeting") and not meeting.is_approved

    def can_hold(self, user: Any, meeting: ReviewMeeting) -> bool:
        return self.can_change(user, meeting) and meeting.is_planned

    def can_approve(self, user: Any, meeting: ReviewMeeting) -> bool:
        return _active(user) and user.has_perm("reviews.approve_reviewmeeting") and meeting.is_held


review_policy = ReviewPolicy()


class ActionItemPolicy:
    def visible(self, user: Any, actions: QuerySet[ActionItem]) -> QuerySet[ActionItem]:
        if not _active(user):
            return actions.none()
        if user.has_perm("reviews.view_reviewmeeting"):
            return actions
        if user.has_perm("reviews.view_teammeeting"):
            # Team-meeting readers (Operations) see what teams raised, not the actions of reviews they cannot read.
            return actions.filter(Q(issue__isnull=False) | Q(owner=user))
        return actions.filter(owner=user)

    def can_view(self, user: Any, action: ActionItem) -> bool:
        return self.visible(user, ActionItem.objects.filter(pk=action.pk)).exists()

    def can_update(self, user: Any, action: ActionItem) -> bool:
        """Set the status: the owner, and those who write review minutes or record team meetings."""
        if not _active(user):
            return False
        return bool(
            action.owner_id == user.pk
            or user.has_perm("reviews.change_reviewmeeting")
            or (action.issue_id is not None and user.has_perm("reviews.change_teammeeting"))
        )

    def can_drop(self, user: Any, action: ActionItem) -> bool:
        """Decide an action is no longer needed: those who keep the record it came from, not its owner alone."""
        if not _active(user):
            return False
        keeper = "reviews.change_reviewmeeting" if action.meeting_id else "reviews.change_teammeeting"
        return bool(user.has_perm(keeper) or user.has_perm("reviews.change_reviewmeeting"))

    def owner_of(self, action: ActionItem) -> Any:
        return action.owner


action_policy = ActionItemPolicy()


class TeamMeetingPolicy:
    def visible(self, user: Any, meetings: QuerySet[TeamMeeting]) -> QuerySet[TeamMeeting]:
        if _active(user) and user.has_perm("reviews.view_teammeeting"):
            return meetings
        return meetings.none()

    def can_view_any(self, user: Any) -> bool:
        return _active(user) and user.has_perm("reviews.view_teammeeting")

    def can_record(self, user: Any) -> bool:
        return _active(user) and user.has_perm("reviews.add_teammeeting")

    def can_change(self, user: Any, meeting: TeamMeeting) -> bool:
        return _active(user) and user.has_perm("reviews.change_teammeeting")


team_meeting_policy = TeamMeetingPolicy()
