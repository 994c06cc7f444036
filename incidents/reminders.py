"""Reminders of the incident log, run by the hourly reminder job (notifications.services.reminders_run).

Breach clock (BREACH_DEADLINE): while no decision on notifying the supervisory authority is recorded
(neither a notification time nor a reason for not notifying), the assignee, every CISO and every member
of the security team are reminded when 24 hours and when 4 hours remain of the 72 hours from detection,
and once more when the deadline has passed. Each reminder names the deadline in its due key, so a
corrected detection time reminds anew.

Corrective actions (CORRECTIVE_ACTION): the owner is reminded once when an open action is due within
three days (or already overdue).
"""

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import Role
from actions.reminders import action_items_due
from notifications import kinds
from notifications.models import Notification
from notifications.services import notify

from .models import BREACH_NOTIFY_WITHIN, CorrectiveAction, Incident

BREACH_MARKS = (("24h", dt.timedelta(hours=24)), ("4h", dt.timedelta(hours=4)), ("overdue", dt.timedelta(0)))

BREACH_DEADLINE = kinds.ReminderKind("breach_deadline", gettext_lazy("Personal-data breach deadline"))
CORRECTIVE_ACTION = kinds.ReminderKind("corrective_action", gettext_lazy("Corrective action due"))


def breach_recipients(incident: Incident, watchers: list[User]) -> list[User]:
    people = {person.pk: person for person in watchers}
    if incident.assignee is not None and incident.assignee.is_active:
        people[incident.assignee.pk] = incident.assignee
    return [people[pk] for pk in sorted(people)]


def breach_deadlines(today: dt.date, now: dt.datetime) -> Iterable[Notification | None]:
    pending = (
        Incident.objects.filter(
            personal_data_breach=True,
            authority_notified_at__isnull=True,
            authority_not_notified_reason="",
            # Only clocks within 24 hours of their deadline (or past it) remind.
            detected_at__lte=now - BREACH_NOTIFY_WITHIN + BREACH_MARKS[0][1],
        )
        .select_related("assignee")
        .order_by("detected_at")
    )
    incidents = list(pending)
    if not incidents:
        return
    watchers = list(
        User.objects.filter(is_active=True, groups__name__in=[Role.CISO.value, Role.SECURITY.value]).distinct()
    )
    for incident in incidents:
        deadline = incident.breach_deadline
        assert deadline is not None  # noqa: S101 — type narrowing for mypy, not a runtime check
        left = deadline - now
        # The most urgent mark reached: one reminder per mark, never the earlier ones late.
        mark = next(name for name, before in reversed(BREACH_MARKS) if left <= before)
        local = timezone.localtime(deadline)
        if mark == "overdue":
            title = _("Overdue: personal-data breach %(incident)s had to be reported to the authority by %(when)s")
        else:
            title = _("Personal-data breach %(incident)s: notify the supervisory authority by %(when)s")
        for person in breach_recipients(incident, watchers):
            yield notify(
                user=person,
                kind=BREACH_DEADLINE.value,
                title=title % {"incident": incident.reference, "when": f"{local:%Y-%m-%d %H:%M}"},
                link=incident.get_absolute_url(),
                due_key=f"breach:{incident.pk}:{deadline:%Y%m%d%H%M}:{mark}",
            )


def corrective_actions_due(today: dt.date, now: dt.datetime) -> Iterable[Notification | None]:
    return action_items_due(
        actions=CorrectiveAction.objects.select_related("incident"),
        today=today,
        kind=CORRECTIVE_ACTION.value,
        title=lambda action: (
            _("Corrective action %(action)s is due on %(date)s") % {"action": action, "date": action.due_date}
        ),
        link=lambda action: action.incident.get_absolute_url(),
        due_key="corrective",
    )
