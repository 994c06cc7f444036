"""Agenda feeds of the reviews app's own records: review actions (a) and team meetings (e).

Each ``compute(since, until)`` answers with a fixed number of queries whatever the row count;
``until`` is the meeting's date (a planned meeting in the future counts up to today).
"""

import datetime as dt

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import feeds
from .models import ActionItem


def review_actions(since: dt.date | None, until: dt.date) -> feeds.Figures:
    """Section (a): actions of earlier reviews and team meetings still open, and those closed since the last review."""
    today = feeds.as_of(until)
    earlier = ActionItem.objects.filter(Q(meeting__date__lt=until) | Q(meeting=None, created_at__date__lt=until))
    open_actions = list(
        earlier.exclude(status__in=ActionItem.CLOSED).select_related("owner", "meeting").order_by("due_date", "id")
    )
    closed = earlier.filter(status__in=ActionItem.CLOSED)
    if since is not None:
        closed = closed.filter(closed_at__date__gte=since)
    overdue = sum(1 for action in open_actions if action.due_date < today)
    items = [
        [
            _("%(title)s — %(owner)s, due %(due)s, %(status)s%(origin)s")
            % {
                "title": action.title,
                "owner": action.owner.get_full_name(),
                "due": feeds.day(action.due_date),
                "status": action.get_status_display().lower(),
                "origin": _(" (carried over from %(meeting)s)") % {"meeting": action.meeting.title}
                if action.meeting
                else _(" (from a team meeting)"),
            },
            action.get_absolute_url(),
        ]
        for action in open_actions[: feeds.ITEM_LIMIT]
    ]
    return {
        "rows": [
            [_("Open actions"), len(open_actions)],
            [_("Of which overdue"), overdue],
            [_("Closed since the last review"), closed.count()],
        ],
        "items": items,
        "note": "" if open_actions else _("No open actions from earlier reviews."),
    }


def team_meetings(since: dt.date | None, until: dt.date) -> feeds.Figures:
    """Section (e): what teams raised under the security standing item since the last review."""
    from .models import RaisedIssue, TeamMeeting

    meetings = TeamMeeting.objects.filter(date__lte=until)
    issues = RaisedIssue.objects.filter(meeting__date__lte=until)
    if since is not None:
        meetings, issues = meetings.filter(date__gte=since), issues.filter(meeting__date__gte=since)
    outcomes = dict(issues.values_list("outcome").annotate(n=Count("id")).order_by())
    return {
        "rows": [
            [_("Team meetings with the security item"), meetings.count()],
            [_("Issues raised"), sum(outcomes.values())],
            *[[str(label), outcomes.get(value, 0)] for value, label in RaisedIssue.Outcome.choices],
        ],
        "items": [],
        "note": "",
    }


def register() -> None:
    feeds.register(
        feeds.Feed(section="a", key="review_actions", title=gettext_lazy("Review actions"), compute=review_actions)
    )
    feeds.register(
        feeds.Feed(section="e", key="team_meetings", title=gettext_lazy("Team meetings"), compute=team_meetings)
    )
