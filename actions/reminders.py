"""The reminder every action table sends: its owner is told when an open action is due within a few days or
overdue, once per due date (a new due date reminds again)."""

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import models

from notifications.models import Notification
from notifications.services import notify

from .models import ActionItem

ACTION_DAYS = 3

A = TypeVar("A", bound=ActionItem)


def action_items_due(
    *,
    actions: "models.QuerySet[A]",
    today: dt.date,
    kind: str,
    title: Callable[[A], str],
    link: Callable[[A], str],
    due_key: str,
) -> Iterable[Notification | None]:
    """One reminder per open action of ``actions`` due by ``today`` + ``ACTION_DAYS`` whose owner is active.

    ``title`` and ``link`` make the reminder's text and target from an action; ``due_key`` is the prefix of the
    key that sends it once per action and due date (``"<due_key>:<pk>:<due date>"``). Pass ``actions`` with
    what ``title`` and ``link`` read already joined (``select_related``).
    """
    due = actions.filter(due_date__lte=today + dt.timedelta(days=ACTION_DAYS), owner__is_active=True)
    for action in due.exclude(status__in=actions.model.CLOSED).select_related("owner"):
        yield notify(
            user=action.owner,
            kind=kind,
            title=title(action),
            link=link(action),
            due_key=f"{due_key}:{action.pk}:{action.due_date}",
        )
