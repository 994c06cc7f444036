"""The roles every tenant has, seeded as Groups (their model permissions grow with each app)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "Admin", _("Admin")
    CISO = "CISO", _("CISO")
    SECURITY = "Security", _("Security")
    OPERATIONS = "Operations", _("Operations")
    MANAGEMENT = "Management", _("Management")
    STAFF = "Staff", _("Staff")
    AUDITOR = "Auditor", _("Auditor")
    EXTERNAL = "External", _("External")


# Roles that must use two-factor authentication (enforced with django-otp).
PRIVILEGED_ROLES = frozenset({Role.ADMIN, Role.CISO, Role.SECURITY, Role.MANAGEMENT})
