"""Reminders of the risk register: reviews due, treatment actions due, risk analysis deadlines."""

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import Role
from actions.reminders import action_items_due
from notifications import kinds
from notifications.models import Notification
from notifications.services import notify

from .models import Risk, RiskAnalysis, TreatmentAction

RISK_REVIEW_DAYS = 7
ANALYSIS_DAYS = 14

RISK_REVIEW = kinds.ReminderKind("risk_review", gettext_lazy("Risk review due"))
TREATMENT_ACTION = kinds.ReminderKind("treatment_action", gettext_lazy("Treatment action due"))
ANALYSIS_DEADLINE = kinds.ReminderKind("analysis_deadline", gettext_lazy("Risk analysis deadline"))


def risk_reminders(today: dt.date, now: dt.datetime) -> Iterable[Notification | None]:
    yield from _risk_reviews(today)
    yield from _treatment_actions(today)
    yield from _analysis_deadlines(today)


def _risk_reviews(today: dt.date) -> Iterable[Notification | None]:
    risks = (
        Risk.objects.filter(next_review__lte=today + dt.timedelta(days=RISK_REVIEW_DAYS), owner__is_active=True)
        .exclude(status=Risk.Status.CLOSED)
        .select_related("owner")
    )
    for risk in risks:
        yield notify(
            user=risk.owner,
            kind=RISK_REVIEW.value,
            title=_("Review of %(risk)s is due on %(date)s") % {"risk": risk, "date": risk.next_review},
            link=risk.get_absolute_url(),
            due_key=f"risk:{risk.pk}:{risk.next_review}",
        )


def _treatment_actions(today: dt.date) -> Iterable[Notification | None]:
    return action_items_due(
        actions=TreatmentAction.objects.select_related("risk"),
        today=today,
        kind=TREATMENT_ACTION.value,
        title=lambda action: (
            _("Treatment action %(action)s is due on %(date)s") % {"action": action, "date": action.due_date}
        ),
        link=lambda action: action.risk.get_absolute_url(),
        due_key="action",
    )


def _analysis_deadlines(today: dt.date) -> Iterable[Notification | None]:
    analyses = (
        RiskAnalysis.objects.filter(deadline__lte=today + dt.timedelta(days=ANALYSIS_DAYS))
        .exclude(status=RiskAnalysis.Status.SIGNED_OFF)
        .prefetch_related("participants")
    )
    cisos = list(User.objects.filter(is_active=True, groups__name=Role.CISO.value))
    for analysis in analyses:
        people = {person for person in analysis.participants.all() if person.is_active} | set(cisos)
        for person in sorted(people, key=lambda person: person.pk):
            yield notify(
                user=person,
                kind=ANALYSIS_DEADLINE.value,
                title=_("Risk analysis %(name)s is due on %(date)s")
                % {"name": analysis.name, "date": analysis.deadline},
                link=analysis.get_absolute_url(),
                due_key=f"analysis:{analysis.pk}:{analysis.deadline}",
            )
