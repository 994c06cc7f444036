"""The risk register: one row per identified information-security risk (ISO/IEC 27001 6.1.2)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.models import TimeStampedModel

SCALE = [MinValueValidator(1), MaxValueValidator(5)]


class Risk(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        TREATED = "treated", _("Being treated")
        ACCEPTED = "accepted", _("Accepted")
        CLOSED = "closed", _("Closed")

    class Treatment(models.TextChoices):
        MITIGATE = "mitigate", _("Mitigate")
        ACCEPT = "accept", _("Accept")
        AVOID = "avoid", _("Avoid")
        TRANSFER = "transfer", _("Transfer")

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    threat = models.CharField(_("threat"), max_length=300, blank=True)
    vulnerability = models.CharField(_("vulnerability"), max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="risks_owned"
    )
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), validators=SCALE)
    impact = models.PositiveSmallIntegerField(_("impact"), validators=SCALE)
    treatment = models.CharField(_("treatment"), max_length=16, choices=Treatment.choices, default=Treatment.MITIGATE)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    next_review = models.DateField(_("next review"), null=True, blank=True)

    class Meta:
        ordering = ["reference"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5),
                name="risks_risk_scale_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("risk", kwargs={"pk": self.pk})

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


class RiskUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Risk, on_delete=models.CASCADE)


class RiskGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Risk, on_delete=models.CASCADE)
