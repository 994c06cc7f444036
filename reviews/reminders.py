"""Reminders for review action items: the owner is told when an open action is due within a few days or overdue."""

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actions.reminders import action_items_due
from notifications import kinds
from notifications.models import Notification

from .models import ActionItem

REVIEW_ACTION = kinds.ReminderKind("review_action", gettext_lazy("Management review action due"))


def review_actions_due(today: dt.date, now: dt.datetime) -> Iterable[Notification | None]:
    return action_items_due(
        actions=ActionItem.objects.all(),
        today=today,
        kind=REVIEW_ACTION.value,
        title=lambda action: (
            _("Review action “%(action)s” is due on %(date)s") % {"action": action.title, "date": action.due_date}
        ),
        link=lambda action: action.get_absolute_url(),
        due_key="review_action",
    )
