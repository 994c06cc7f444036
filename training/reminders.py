"""Reminders of training and acknowledgements: once shortly before the due date, once when overdue.

Registered with the hourly reminder job (``notifications.services.producer_register``); before reminding,
modules due again (an expiring completion) are assigned anew.
"""

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications import kinds
from notifications.models import Notification
from notifications.services import notify

from .models import Assignment
from .services import renewals_assign

DUE_SOON_DAYS = 3

TRAINING_DUE = kinds.ReminderKind("training_due", gettext_lazy("Training or policy acknowledgement due"))


def _link(assignment: Assignment) -> str:
    if assignment.module_id is not None:
        return reverse("training_module", args=[assignment.module_id])
    return reverse("training_assignment", args=[assignment.pk])


def training_reminders(today: dt.date, now: dt.datetime) -> Iterable[Notification | None]:
    renewals_assign(today=today)
    assignments = (
        Assignment.objects.filter(
            status=Assignment.Status.OPEN,
            user__is_active=True,
            due_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("user", "module", "version__policy")
        .order_by("pk")
    )
    for assignment in assignments:
        if assignment.due_date < today:
            title = _("Overdue since %(date)s: %(item)s") % {"date": assignment.due_date, "item": assignment.subject}
            key = f"training:{assignment.pk}:overdue:{assignment.due_date}"
        else:
            title = _("Due on %(date)s: %(item)s") % {"date": assignment.due_date, "item": assignment.subject}
            key = f"training:{assignment.pk}:due:{assignment.due_date}"
        yield notify(user=assignment.user, kind=TRAINING_DUE.value, title=title, link=_link(assignment), due_key=key)
