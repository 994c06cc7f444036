"""A tenant is one customer organisation with its own schema; a Domain routes a host name to it."""

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

if TYPE_CHECKING:
    from datetime import timedelta


class Tenant(TenantMixin):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        MAINTENANCE = "maintenance", _("Maintenance (restore in progress)")

    slug = models.SlugField(_("slug"), max_length=63, unique=True)
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Stockholm")
    backup_retention_days = models.PositiveSmallIntegerField(
        _("backup retention (days)"),
        null=True,
        blank=True,
        help_text=_("Empty: the platform default. Kept within the platform's bounds."),
    )
    require_two_factor = models.BooleanField(
        _("require two-factor authentication for everyone"),
        default=False,
        help_text=_("Privileged roles always need it; this extends it to every person in the tenant."),
    )
    session_idle_minutes = models.PositiveSmallIntegerField(
        _("log out after idle (minutes)"),
        null=True,
        blank=True,
        help_text=_("Empty: the platform default. Kept within the platform's bounds."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # Provisioning creates the schema explicitly, inside its own transaction.
    auto_create_schema = False
    auto_drop_schema = True

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"

    @property
    def retention_days(self) -> int:
        """This tenant's backup retention, clamped to the platform's bounds."""
        from django.conf import settings

        wanted = self.backup_retention_days or settings.BACKUP_RETENTION_DAYS
        return max(settings.BACKUP_RETENTION_MIN_DAYS, min(settings.BACKUP_RETENTION_MAX_DAYS, wanted))

    @property
    def session_idle_timeout(self) -> "timedelta":
        """How long a session of this tenant may sit unused before it is logged out, within the platform's bounds."""
        from datetime import timedelta

        from django.conf import settings

        wanted = self.session_idle_minutes or settings.ISMS_SESSION_IDLE_MINUTES
        low, high = settings.ISMS_SESSION_IDLE_MIN_MINUTES, settings.ISMS_SESSION_IDLE_MAX_MINUTES
        return timedelta(minutes=max(low, min(high, wanted)))


class Domain(DomainMixin):
    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return str(self.domain)


class TenantKey(models.Model):
    """A tenant's 256-bit key, stored only wrapped by the master key (see ``tenants.keys``).

    Retired keys are kept: objects sealed under them name their key id and stay readable.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="keys", verbose_name=_("tenant"))
    key_id = models.CharField(_("key id"), max_length=32, unique=True)
    wrapped_key = models.BinaryField(_("wrapped key"))
    # Which master key wraps it (tenants.keys.master_key_id); empty for keys wrapped before ids were kept.
    master_key_id = models.CharField(_("master key id"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ["tenant", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"], condition=models.Q(retired_at__isnull=True), name="tenant_key_one_active"
            ),
            models.CheckConstraint(condition=~models.Q(key_id=""), name="tenant_key_id_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.key_id} ({'retired' if self.retired_at else 'active'})"
