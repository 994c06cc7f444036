"""Security objectives and the key results that measure them (ISO/IEC 27001:2022 6.2).

An objective's status follows from its progress, the mean progress of its key results:

* on track  — progress at least ON_TRACK_FROM (70 %),
* at risk   — progress at least AT_RISK_FROM (40 %),
* off track — below that, and also while the objective has no key results (0 %).

Whoever manages the objective may set the status by hand (``status_override``), e.g. when a
result is known to be late before its numbers show it; clearing the override returns to the
computed status.
"""

from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

ZERO = Decimal(0)
HUNDRED = Decimal(100)
ON_TRACK_FROM = Decimal(70)
AT_RISK_FROM = Decimal(40)


def decimal_text(value: Decimal) -> str:
    """A measured value as people write it: 30, 99.5, never 30.0000 or 3E+1."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


class Objective(TimeStampedModel):
    class Status(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        OFF_TRACK = "off_track", _("Off track")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="objectives_owned"
    )
    period = models.CharField(_("period"), max_length=20, help_text=_("For example “2026 H2”."))
    risks = models.ManyToManyField("risks.Risk", verbose_name=_("linked risks"), related_name="objectives", blank=True)
    status_override = models.CharField(
        _("status set by hand"),
        max_length=16,
        choices=Status.choices,
        blank=True,
        help_text=_("Leave empty to follow the key results."),
    )

    class Meta:
        ordering = ["-period", "title", "pk"]
        verbose_name = _("security objective")
        verbose_name_plural = _("security objectives")
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="objectives_objective_title_given"),
            # Equalities rather than IN: PostgreSQL prints an IN list back differently from how
            # Django writes it, so a cloned tenant's constraint would not match a migrated one's.
            models.CheckConstraint(
                condition=models.Q(status_override="")
                | models.Q(status_override="on_track")
                | models.Q(status_override="at_risk")
                | models.Q(status_override="off_track"),
                name="objectives_objective_status_override_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period})"

    def get_absolute_url(self) -> str:
        return reverse("objective", kwargs={"pk": self.pk})

    @property
    def progress(self) -> Decimal:
        """Mean progress of the key results in percent; 0 without any (uses prefetched key results)."""
        results = list(self.key_results.all())
        if not results:
            return ZERO
        return sum((result.progress for result in results), ZERO) / len(results)

    @property
    def percent(self) -> int:
        """Whole percent, rounded down so that 69.9 % never reads as 70 % beside an “at risk” badge."""
        return int(self.progress.to_integral_value(rounding=ROUND_FLOOR))

    @property
    def computed_status(self) -> str:
        progress = self.progress
        if progress >= ON_TRACK_FROM:
            return self.Status.ON_TRACK
        if progress >= AT_RISK_FROM:
            return self.Status.AT_RISK
        return self.Status.OFF_TRACK

    @property
    def status(self) -> str:
        return self.status_override or self.computed_status

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)


class KeyResult(models.Model):
    """One measurable result of an objective: from a baseline towards a target, up or down."""

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="key_results"
    )
    metric = models.CharField(_("metric"), max_length=200)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=4)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4)
    current = models.DecimalField(_("current value"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("For example “%” or “days”."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("key result")
        verbose_name_plural = _("key results")

    def __str__(self) -> str:
        return self.metric

    @property
    def progress(self) -> Decimal:
        """How far ``current`` has come from ``baseline`` to ``target``, in percent, clamped to 0–100.

        The same formula serves falling targets (30 → 7 days: both differences are negative).
        A target equal to its baseline is a level to hold: 100 % while current is at it, else 0 %.
        """
        span = self.target - self.baseline
        if span == 0:
            return HUNDRED if self.current == self.target else ZERO
        return min(max((self.current - self.baseline) / span * HUNDRED, ZERO), HUNDRED)

    @property
    def percent(self) -> int:
        return int(self.progress.to_integral_value(rounding=ROUND_FLOOR))
