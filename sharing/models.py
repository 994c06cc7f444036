"""Grants of access to one record, and requests for such grants."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Permission(models.TextChoices):
    VIEW = "view", _("View")
    CHANGE = "change", _("View and change")


class ShareGrantQuerySet(models.QuerySet["ShareGrant"]):
    def active(self) -> "ShareGrantQuerySet":
        now = timezone.now()
        return self.filter(revoked_at=None).filter(Q(expires_at=None) | Q(expires_at__gt=now))

    def for_record(self, obj: models.Model) -> "ShareGrantQuerySet":
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class ShareGrant(models.Model):
    """Access to one record for one person or everyone in one role, optionally until a time."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    grantee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="shares_received",
    )
    grantee_role = models.ForeignKey(
        Group, verbose_name=_("role"), null=True, blank=True, on_delete=models.CASCADE, related_name="shares_received"
    )
    permission = models.CharField(_("access"), max_length=8, choices=Permission.choices, default=Permission.VIEW)
    expires_at = models.DateTimeField(_("until"), null=True, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shares_granted")
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set once the expiry job has recorded the expiry in the audit trail.
    expiry_recorded_at = models.DateTimeField(null=True, blank=True)

    objects = ShareGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="sharing_grant_record")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(grantee_user__isnull=False, grantee_role__isnull=True))
                | (Q(grantee_user__isnull=True, grantee_role__isnull=False)),
                name="sharing_grant_one_grantee",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_permission_display()} for {self.grantee_label}"

    @property
    def grantee_label(self) -> str:
        if self.grantee_user_id:
            return str(self.grantee_user)
        return str(_("everyone with role %(role)s") % {"role": self.grantee_role})

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())


class AccessRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DENIED = "denied", _("Denied")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_requests")
    permission = models.CharField(_("access"), max_length=8, choices=Permission.choices, default=Permission.VIEW)
    message = models.CharField(_("why"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    grant = models.ForeignKey(ShareGrant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["content_type", "object_id", "status"], name="sharing_request_record")]

    def __str__(self) -> str:
        return f"{self.requester} asks for {self.permission}"
