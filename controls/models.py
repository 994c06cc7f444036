"""The Statement of Applicability: one row per ISO/IEC 27001:2022 Annex A control (clause 6.1.3 d).

The 93 rows come from a data migration (``annex_a.py``); each tenant then records on its own
rows whether a control applies, why, how far it is implemented, who owns it and which risks it treats.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from . import annex_a


class Control(TimeStampedModel):
    class Theme(models.TextChoices):
        ORGANISATIONAL = annex_a.ORGANISATIONAL, _("Organisational")
        PEOPLE = annex_a.PEOPLE, _("People")
        PHYSICAL = annex_a.PHYSICAL, _("Physical")
        TECHNOLOGICAL = annex_a.TECHNOLOGICAL, _("Technological")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        PLANNED = "planned", _("Planned")
        PARTIAL = "partial", _("Partially implemented")
        IMPLEMENTED = "implemented", _("Implemented")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    reference = models.CharField(_("reference"), max_length=8, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200, editable=False)
    theme = models.CharField(_("theme"), max_length=16, choices=Theme.choices, editable=False)
    # Orders references as people read them ("5.9" before "5.10"), which text ordering does not.
    sort_key = models.PositiveIntegerField(_("sort key"), editable=False)
    applicable = models.BooleanField(_("applicable"), default=True)
    justification = models.TextField(
        _("justification"),
        blank=True,
        help_text=_("Why the control is included or excluded; required when it is not applicable."),
    )
    status = models.CharField(
        _("implementation status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="controls_owned",
    )
    risks = models.ManyToManyField("risks.Risk", verbose_name=_("linked risks"), blank=True, related_name="controls")

    class Meta:
        ordering = ["sort_key"]
        verbose_name = _("control")
        verbose_name_plural = _("controls")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(applicable=True) | models.Q(justification__regex=r"\S"),
                name="controls_control_exclusion_justified",
            ),
            models.CheckConstraint(
                condition=models.Q(applicable=True) & ~models.Q(status="not_applicable")
                | models.Q(applicable=False, status="not_applicable"),
                name="controls_control_status_matches_applicability",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.sort_key = annex_a.sort_key(self.reference)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("control", kwargs={"pk": self.pk})

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if not self.applicable and not self.justification.strip():
            errors["justification"] = _("Explain why the control is not applicable: the SoA must justify exclusions.")
        if not self.applicable and self.status != self.Status.NOT_APPLICABLE:
            errors["status"] = _("A control that is not applicable has the status “Not applicable”.")
        if self.applicable and self.status == self.Status.NOT_APPLICABLE:
            errors["status"] = _("Mark the control as not applicable, or choose how far it is implemented.")
        if errors:
            raise ValidationError(errors)
