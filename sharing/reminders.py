"""Reminders of sharing: a person's shared access ends soon."""

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications import kinds
from notifications.models import Notification
from notifications.services import notify

from . import registry
from .models import ShareGrant

SHARE_DAYS = 3

SHARE_EXPIRING = kinds.ReminderKind("share_expiring", gettext_lazy("Shared access expiring"))


def share_reminders(today: dt.date, now: dt.datetime) -> Iterable[Notification | None]:
    yield from _shares_expiring(now)


def _shares_expiring(now: dt.datetime) -> Iterable[Notification | None]:
    grants = (
        ShareGrant.objects.active()
        .filter(grantee_user__is_active=True, expires_at__lte=now + dt.timedelta(days=SHARE_DAYS))
        .select_related("grantee_user", "content_type")
    )
    for grant in grants:
        assert grant.grantee_user is not None and grant.expires_at is not None  # noqa: S101 — type narrowing for mypy, not a runtime check
        model = grant.content_type.model_class()
        record = model._default_manager.filter(pk=grant.object_id).first() if model else None
        if record is None:
            continue
        expires = timezone.localtime(grant.expires_at)
        yield notify(
            user=grant.grantee_user,
            kind=SHARE_EXPIRING.value,
            title=_("Your access to %(record)s ends on %(date)s") % {"record": record, "date": f"{expires:%Y-%m-%d}"},
            link=registry.record_url(record),
            due_key=f"share:{grant.pk}:{expires:%Y-%m-%d}",
        )
