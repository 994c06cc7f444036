"""Agenda feeds: live figures that other apps contribute to a management review's §9.3.2 sections.

An app registers a feed in its AppConfig.ready::

    from reviews import feeds
    feeds.register(feeds.Feed(section="d", key="incidents", title=_("Incidents"), compute=incidents_for_review))

``compute(since, until)`` gets the previous held review's date (None for the first review) and the
meeting's date, and returns a ``Figures`` dict that is JSON-serialisable, because it is frozen into the
meeting's snapshot when the meeting is held::

    {"rows": [["Open incidents", 3], ["Severity 1", 1]],      # label, value (str or number)
     "items": [["INC-2026-0004 Laptop stolen", "/incidents/4/"]],  # text, link ("" for none)
     "note": ""}                                                # optional sentence under the figures
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise

Section = Literal["a", "b", "c", "d", "e", "f", "g"]
Figures = dict[str, Any]


@dataclass(frozen=True)
class Feed:
    section: Section
    key: str  # unique, stable: names the figures in stored snapshots
    title: str | Promise
    compute: Callable[[dt.date | None, dt.date], Figures]
    order: int = 100  # position within the section


FEEDS: list[Feed] = []
ITEM_LIMIT = 20  # items listed under one feed's figures


def as_of(until: dt.date) -> dt.date:
    """The day figures are counted up to: the meeting's date, or today for a planned meeting."""
    return min(until, timezone.localdate())


def day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return date_format(value, "Y-m-d")


def register(feed: Feed) -> None:
    if all(existing.key != feed.key for existing in FEEDS):
        FEEDS.append(feed)


def feeds_for(section: str) -> list[Feed]:
    return sorted((feed for feed in FEEDS if feed.section == section), key=lambda feed: (feed.order, feed.key))
