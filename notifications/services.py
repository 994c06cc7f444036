"""Writes of the notifications app: create a reminder once, run the reminder job, mark read, save preferences."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import audit
from accounts.models import User
from accounts.roles import Role
from core.mail import email_queue
from core.registry import Registry

from . import kinds
from .models import EmailDigestSent, EmailPreference, Notification

# Reminder producers of the apps: each is called as producer(today, now) and yields notify() results.
# Apps register theirs in AppConfig.ready with producer_register(), with their kinds (notifications.kinds).
Producer = Callable[[dt.date, dt.datetime], Iterable["Notification | None"]]
PRODUCERS: Registry[Producer] = Registry("reminder producers")

ACCOUNT_LOCKED = kinds.ReminderKind("account_locked", gettext_lazy("Account locked after failed logins"))


def producer_register(producer: Producer, *, order: int = 100) -> None:
    PRODUCERS.register(f"{producer.__module__}.{producer.__qualname__}", producer, order=order)


def notify(*, user: User, kind: str, title: str, link: str, due_key: str) -> Notification | None:
    """The new notification, or None when this person was already told about this due item."""
    notification, created = Notification.objects.get_or_create(
        user=user, kind=kind, due_key=due_key, defaults={"title": title[:300], "link": link}
    )
    return notification if created else None


def _digests_send(created: list[Notification], today: dt.date) -> int:
    """One e-mail per person and kind listing today's new notifications, unless opted out or already sent."""
    grouped: dict[tuple[User, str], list[Notification]] = defaultdict(list)
    for notification in created:
        grouped[(notification.user, notification.kind)].append(notification)
    opted_out = set(
        EmailPreference.objects.filter(email=False, user__in={user for user, _kind in grouped}).values_list(
            "user_id", "kind"
        )
    )
    sent = 0
    for (user, kind), notifications in grouped.items():
        if (user.pk, kind) in opted_out or not user.email:
            continue
        _digest, new = EmailDigestSent.objects.get_or_create(user=user, kind=kind, day=today)
        if not new:
            continue
        subject = _("%(kind)s: %(count)d new reminder(s)") % {"kind": kinds.label(kind), "count": len(notifications)}
        body = "\n".join(f"- {notification.title}\n  {notification.link}" for notification in notifications)
        email_queue(subject=subject, body=body, recipients=[user.email])
        sent += 1
    return sent


@transaction.atomic
def reminders_run(today: dt.date | None = None) -> int:
    """Create the notifications of everything due soon and send the day's digests; returns how many were new.

    Idempotent: a due item reminds each person once, and each person gets at most one e-mail per kind a day.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    candidates = [
        *(notification for producer in PRODUCERS for notification in producer(today, now)),
    ]
    created = [notification for notification in candidates if notification is not None]
    _digests_send(created, today)
    return len(created)


@transaction.atomic
def account_locked_notify(*, user: User, until: dt.datetime, failures: int, lock_id: int) -> list[Notification]:
    """Tell the locked-out person and the tenant's active Admins, in-app and at once by e-mail (unless opted out)."""
    admins = User.objects.filter(is_active=True, groups__name=Role.ADMIN.value).exclude(pk=user.pk).distinct()
    until_local = timezone.localtime(until)
    created = []
    for person, title, link in [
        (
            user,
            _(
                "Your account was locked after %(count)d failed logins until %(until)s. "
                "If that was not you, tell an administrator."
            )
            % {"count": failures, "until": f"{until_local:%Y-%m-%d %H:%M}"},
            reverse("profile"),
        ),
        *(
            (
                admin,
                _("The account of %(person)s was locked after %(count)d failed logins until %(until)s.")
                % {"person": user, "count": failures, "until": f"{until_local:%Y-%m-%d %H:%M}"},
                reverse("person", kwargs={"pk": user.pk}),
            )
            for admin in admins.order_by("pk")
        ),
    ]:
        notification = notify(user=person, kind=ACCOUNT_LOCKED.value, title=title, link=link, due_key=f"lock:{lock_id}")
        if notification is not None:
            created.append(notification)
    opted_out = set(
        EmailPreference.objects.filter(
            email=False, kind=ACCOUNT_LOCKED.value, user__in=[n.user for n in created]
        ).values_list("user_id", flat=True)
    )
    for notification in created:
        if notification.user.pk in opted_out or not notification.user.email:
            continue
        subject = str(ACCOUNT_LOCKED.label)
        body = f"{notification.title}\n{notification.link}"
        email_queue(subject=subject, body=body, recipients=[notification.user.email])
    return created


def notification_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_read_all(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at=None).update(read_at=timezone.now())


def email_preferences(user: User) -> dict[str, bool]:
    """Whether e-mail is wanted, by kind (every kind present; default yes)."""
    stored = dict(EmailPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: stored.get(kind, True) for kind in kinds.values()}


@transaction.atomic
def email_preferences_save(*, user: User, email: Mapping[str, bool]) -> None:
    before = email_preferences(user)
    for kind in kinds.values():
        EmailPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": bool(email.get(kind))})
    changes = {
        kind: [before[kind], bool(email.get(kind))] for kind in kinds.values() if before[kind] != bool(email.get(kind))
    }
    if changes:
        audit.record(actor=user, action="notifications.preferences_changed", obj=user, changes=changes)
