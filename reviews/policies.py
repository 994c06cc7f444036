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

from django.db.models import Q, QuerySet

from accounts.models import User
from core.policies import BasePolicy, Person

from .models import ActionItem, ReviewMeeting, TeamMeeting


class ReviewPolicy(BasePolicy):
    def visible(self, user: Person, meetings: QuerySet[ReviewMeeting]) -> QuerySet[ReviewMeeting]:
        if self.allows(user, "reviews.view_reviewmeeting"):
            return meetings
        return meetings.none()

    def can_view_any(self, user: Person) -> bool:
        return self.allows(user, "reviews.view_reviewmeeting")

    def can_view(self, user: Person, meeting: ReviewMeeting) -> bool:
        return self.can_view_any(user)

    def can_plan(self, user: Person) -> bool:
        return self.allows(user, "reviews.add_reviewmeeting")

    def can_change(self, user: Person, meeting: ReviewMeeting) -> bool:
        """Edit the plan or write the minutes; never once the minutes are approved."""
        return self.allows(user, "reviews.change_reviewmeeting") and not meeting.is_approved

    def can_prepare(self, user: Person, meeting: ReviewMeeting) -> bool:
        """Write the agenda's prepared input: while the review is planned."""
        return self.can_change(user, meeting) and meeting.is_planned

    def can_minute(self, user: Person, meeting: ReviewMeeting) -> bool:
        """Write the minutes (notes, decisions, actions): once held, until approved."""
        return self.can_change(user, meeting) and meeting.is_held

    def can_hold_any(self, user: Person) -> bool:
        """The role that marks reviews as held (the meeting's state is the model's to check)."""
        return self.allows(user, "reviews.change_reviewmeeting")

    def can_hold(self, user: Person, meeting: ReviewMeeting) -> bool:
        return self.can_hold_any(user) and meeting.is_planned

    def can_approve_any(self, user: Person) -> bool:
        """The role that approves minutes (the meeting's state is the model's to check)."""
        return self.allows(user, "reviews.approve_reviewmeeting")

    def can_approve(self, user: Person, meeting: ReviewMeeting) -> bool:
        return self.can_approve_any(user) and meeting.is_held


review_policy = ReviewPolicy()


class ActionItemPolicy(BasePolicy):
    def visible(self, user: Person, actions: QuerySet[ActionItem]) -> QuerySet[ActionItem]:
        if not self.active(user):
            return actions.none()
        if self.allows(user, "reviews.view_reviewmeeting"):
            return actions
        if self.allows(user, "reviews.view_teammeeting"):
            # Team-meeting readers (Operations) see what teams raised, not the actions of reviews they cannot read.
            return actions.filter(Q(issue__isnull=False) | Q(owner=user))
        return actions.filter(owner=user.pk)

    def can_view(self, user: Person, action: ActionItem) -> bool:
        return self.visible(user, ActionItem.objects.filter(pk=action.pk)).exists()

    def can_update(self, user: Person, action: ActionItem) -> bool:
        """Set the status: the owner, and those who write review minutes or record team meetings."""
        return bool(
            self.is_user(user, action.owner_id)
            or self.allows(user, "reviews.change_reviewmeeting")
            or (action.issue_id is not None and self.allows(user, "reviews.change_teammeeting"))
        )

    def keeps_record_of(self, user: Person, action: ActionItem) -> bool:
        """Those who keep the record the action came from: the minute-takers, or the team-meeting recorders."""
        keeper = "reviews.change_reviewmeeting" if action.meeting_id else "reviews.change_teammeeting"
        return self.allows(user, keeper) or self.allows(user, "reviews.change_reviewmeeting")

    def can_drop(self, user: Person, action: ActionItem) -> bool:
        """Decide an action is no longer needed: those who keep the record it came from, not its owner alone."""
        return self.keeps_record_of(user, action)

    def can_choose_dropped(self, user: Person, action: ActionItem) -> bool:
        """Whether "dropped" is offered in the status choice: to those who may drop, and on a dropped action."""
        return action.status == ActionItem.Status.DROPPED or self.can_drop(user, action)

    def can_reassign(self, user: Person, action: ActionItem) -> bool:
        """Change the owner or the due date: those who keep the record, not the owner."""
        return self.keeps_record_of(user, action)

    def owner_of(self, action: ActionItem) -> User:
        return action.owner


action_policy = ActionItemPolicy()


class TeamMeetingPolicy(BasePolicy):
    def visible(self, user: Person, meetings: QuerySet[TeamMeeting]) -> QuerySet[TeamMeeting]:
        if self.allows(user, "reviews.view_teammeeting"):
            return meetings
        return meetings.none()

    def can_view_any(self, user: Person) -> bool:
        return self.allows(user, "reviews.view_teammeeting")

    def can_record(self, user: Person) -> bool:
        return self.allows(user, "reviews.add_teammeeting")

    def can_change(self, user: Person, meeting: TeamMeeting) -> bool:
        return self.allows(user, "reviews.change_teammeeting")


team_meeting_policy = TeamMeetingPolicy()
