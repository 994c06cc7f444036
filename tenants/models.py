"""A tenant is one customer organisation with its own schema; a Domain routes a host name to it."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class Tenant(TenantMixin):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    slug = models.SlugField(_("slug"), max_length=63, unique=True)
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Stockholm")
    require_two_factor = models.BooleanField(
        _("require two-factor authentication for everyone"),
        default=False,
        help_text=_("Privileged roles always need it; this extends it to every person in the tenant."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # Provisioning creates the schema explicitly, inside its own transaction.
    auto_create_schema = False
    auto_drop_schema = True

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"


class Domain(DomainMixin):
    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return str(self.domain)
