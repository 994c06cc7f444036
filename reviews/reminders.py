"""Reminders for review action items: the owner is told when an open action is due within a few days or overdue."""

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications import kinds
from notifications.models import Notification
from notifications.services import notify

from .models import ActionItem

ACTION_DAYS = 3

REVIEW_ACTION = kinds.ReminderKind("review_action", gettext_lazy("Management review action due"))


def review_actions_due(today: dt.date, now: dt.datetime) -> Iterable[Notification | None]:
    actions = (
        ActionItem.objects.filter(due_date__lte=today + dt.timedelta(days=ACTION_DAYS), owner__is_active=True)
        .exclude(status__in=ActionItem.CLOSED)
        .select_related("owner")
    )
    for action in actions:
        yield notify(
            user=action.owner,
            kind=REVIEW_ACTION.value,
            title=_("Review action “%(action)s” is due on %(date)s")
            % {"action": action.title, "date": action.due_date},
            link=action.get_absolute_url(),
            due_key=f"review_action:{action.pk}:{action.due_date}",
        )
