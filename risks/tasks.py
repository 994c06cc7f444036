"""Daily: remind the people of a risk analysis that its sign-off deadline is near (once per analysis)."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from accounts.models import User
from core.tasks import TenantTask

from .models import RiskAnalysis

REMIND_DAYS_BEFORE = 14


@transaction.atomic
def analysis_reminders_send(today: dt.date | None = None) -> int:
    """E-mail participants (and every CISO) of analyses due within two weeks; never twice."""
    today = today or timezone.localdate()
    due = (
        RiskAnalysis.objects.select_for_update()
        .filter(
            reminder_sent_at=None,
            deadline__lte=today + dt.timedelta(days=REMIND_DAYS_BEFORE),
            deadline__gte=today,
        )
        .exclude(status=RiskAnalysis.Status.SIGNED_OFF)
    )
    messages = []
    sent = 0
    for analysis in due:
        people = set(analysis.participants.filter(is_active=True)) | set(
            User.objects.filter(is_active=True, groups__name="CISO")
        )
        recipients = sorted(person.email for person in people)
        if recipients:
            messages.append(
                (
                    _("Risk analysis %(name)s is due on %(date)s") % {"name": analysis.name, "date": analysis.deadline},
                    _("The risk analysis %(name)s should be reviewed and signed off by %(date)s.")
                    % {"name": analysis.name, "date": analysis.deadline},
                    settings.DEFAULT_FROM_EMAIL,
                    recipients,
                )
            )
        analysis.reminder_sent_at = timezone.now()
        analysis.save(update_fields=["reminder_sent_at"])
        sent += 1
    if messages:
        transaction.on_commit(lambda: send_mass_mail(messages))
    return sent


@shared_task(base=TenantTask, bind=True, acks_late=True)
def analysis_reminders(self: TenantTask) -> int:
    return analysis_reminders_send()


@shared_task(acks_late=True)
def analysis_reminders_dispatch() -> int:
    from tenants.models import Tenant

    tenants = Tenant.objects.exclude(schema_name=get_public_schema_name()).filter(status=Tenant.Status.ACTIVE)
    for tenant in tenants:
        analysis_reminders.apply_async(headers={"_schema_name": tenant.schema_name})
    return len(tenants)
