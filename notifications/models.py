"""Reminders and notifications: one row per person per due item, shown in-app and sent as a daily e-mail digest."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .kinds import KindField


class Notification(models.Model):
    """One reminder for one person; ``due_key`` names the item and its due date, so a moved date reminds anew."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = KindField(_("kind"))
    title = models.CharField(_("title"), max_length=300)
    link = models.CharField(_("link"), max_length=300)
    due_key = models.CharField(max_length=120)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="notifications_user_unread")]
        constraints = [
            # Unconditional: a partial unique index would not survive the schema cloning of new tenants.
            models.UniqueConstraint(fields=["user", "kind", "due_key"], name="notifications_once_per_due_item")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notification_open", kwargs={"pk": self.pk})

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class EmailPreference(models.Model):
    """Whether a person wants e-mail for one kind of notification (no row: yes)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = KindField(_("kind"))
    email = models.BooleanField(_("send e-mail"), default=True)

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notifications_preference_once")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}: {self.email}"


class EmailDigestSent(models.Model):
    """A digest e-mail went to a person for one kind on one day: at most one such e-mail a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = KindField()
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "day"], name="notifications_digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.day}"
