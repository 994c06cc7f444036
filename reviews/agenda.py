"""A review's agenda: one section per §9.3.2 input, with the feeds' figures live while planned, frozen once held."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from . import feeds
from .models import SECTION_HINTS, AgendaSection, ReviewMeeting, Section


def previous_review(meeting: ReviewMeeting) -> ReviewMeeting | None:
    """The latest review held before this one: the agenda reports what happened since."""
    return (
        ReviewMeeting.objects.exclude(status=ReviewMeeting.Status.PLANNED)
        .exclude(pk=meeting.pk)
        .filter(date__lt=meeting.date)
        .order_by("-date", "-id")
        .first()
    )


def snapshot_take(meeting: ReviewMeeting) -> dict[str, Any]:
    """Every registered feed's figures now, in a JSON form that never changes afterwards."""
    previous = previous_review(meeting)
    since = previous.date if previous else None
    return {
        "taken_at": timezone.now().isoformat(),
        "since": since.isoformat() if since else None,
        "previous": previous.title if previous else "",
        "feeds": [
            {
                "key": feed.key,
                "section": feed.section,
                "title": str(feed.title),
                "figures": feed.compute(since, meeting.date),
            }
            for section in Section.values
            for feed in feeds.feeds_for(section)
        ],
    }


@dataclass
class AgendaItem:
    section: str
    title: str
    hint: str
    fed: list[dict[str, Any]] = field(default_factory=list)  # {"title", "figures"} per feed
    record: AgendaSection | None = None


@dataclass
class Agenda:
    items: list[AgendaItem]
    live: bool
    since: dt.date | None
    previous: str
    taken_at: dt.datetime | None


def agenda_of(meeting: ReviewMeeting, sections: list[AgendaSection]) -> Agenda:
    """The agenda as the meeting page shows it: the frozen snapshot once held, live figures before."""
    if meeting.is_planned:
        data = snapshot_take(meeting)
        live = True
    else:
        data = meeting.snapshot
        live = False
    by_letter = {record.section: record for record in sections}
    fed: dict[str, list[dict[str, Any]]] = {}
    for entry in data.get("feeds", []):
        fed.setdefault(entry["section"], []).append({"title": entry["title"], "figures": entry["figures"]})
    items = [
        AgendaItem(
            section=value,
            title=str(label),
            hint=str(SECTION_HINTS.get(Section(value), "")),
            fed=fed.get(value, []),
            record=by_letter.get(value),
        )
        for value, label in Section.choices
    ]
    since = data.get("since")
    return Agenda(
        items=items,
        live=live,
        since=dt.date.fromisoformat(since) if since else None,
        previous=data.get("previous", ""),
        taken_at=dt.datetime.fromisoformat(data["taken_at"]) if data.get("taken_at") else None,
    )
