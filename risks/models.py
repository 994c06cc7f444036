"""The risk register: one row per identified information-security risk (ISO/IEC 27001 6.1.2)."""

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from actions.models import ActionItem, ActionStatus, action_owner, action_status
from core.models import TimeStampedModel

if TYPE_CHECKING:
    from accounts.models import User

SCALE = [MinValueValidator(1), MaxValueValidator(5)]


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


DEFAULT_LIKELIHOOD_LABELS = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"]
DEFAULT_IMPACT_LABELS = ["Insignificant", "Minor", "Moderate", "Major", "Severe"]
# Highest score (likelihood × impact) of each level, in order.
DEFAULT_BANDS = {"low": 4, "medium": 9, "high": 16, "critical": 25}


def default_likelihood_labels() -> list[str]:
    return list(DEFAULT_LIKELIHOOD_LABELS)


def default_impact_labels() -> list[str]:
    return list(DEFAULT_IMPACT_LABELS)


def default_bands() -> dict[str, int]:
    return dict(DEFAULT_BANDS)


class RiskMatrix(models.Model):
    """The tenant's 5×5 risk matrix: axis labels, level bands and the acceptance threshold (one row)."""

    likelihood_labels = models.JSONField(_("likelihood labels"), default=default_likelihood_labels)
    impact_labels = models.JSONField(_("impact labels"), default=default_impact_labels)
    bands = models.JSONField(_("level bands"), default=default_bands)
    acceptance_threshold = models.PositiveSmallIntegerField(
        _("acceptance threshold"),
        default=9,
        validators=[MinValueValidator(1), MaxValueValidator(25)],
        help_text=_("A residual score above this needs acceptance by Management or the CISO."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("risk matrix")

    def __str__(self) -> str:
        return "Risk matrix"

    @classmethod
    def current(cls) -> "RiskMatrix":
        matrix, _created = cls.objects.get_or_create(pk=1)
        return matrix

    def level_of(self, score: int | None) -> str:
        if score is None:
            return ""
        for level in Level.values:
            if score <= int(self.bands[level]):
                return level
        return Level.CRITICAL


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
    assets = models.JSONField(_("affected assets and services"), default=list, blank=True)
    confidentiality = models.BooleanField(_("confidentiality"), default=False)
    integrity = models.BooleanField(_("integrity"), default=False)
    availability = models.BooleanField(_("availability"), default=False)
    residual_likelihood = models.PositiveSmallIntegerField(
        _("residual likelihood"), validators=SCALE, null=True, blank=True
    )
    residual_impact = models.PositiveSmallIntegerField(_("residual impact"), validators=SCALE, null=True, blank=True)
    # Levels are stored (for filtering and history) and recomputed whenever the matrix changes.
    inherent_level = models.CharField(_("inherent level"), max_length=10, choices=Level.choices, blank=True)
    residual_level = models.CharField(_("residual level"), max_length=10, choices=Level.choices, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    acceptance_justification = models.TextField(_("acceptance justification"), blank=True)
    acceptance_expires = models.DateField(_("acceptance expires"), null=True, blank=True)

    class Meta:
        ordering = ["reference"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        permissions = [("accept_risk", "Can accept a residual risk")]
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

    @property
    def residual_score(self) -> int | None:
        if self.residual_likelihood is None or self.residual_impact is None:
            return None
        return self.residual_likelihood * self.residual_impact

    @property
    def effective_score(self) -> int:
        """The residual score once assessed, else the inherent one."""
        residual = self.residual_score
        return self.score if residual is None else residual

    def levels_compute(self, matrix: RiskMatrix) -> None:
        self.inherent_level = matrix.level_of(self.score)
        self.residual_level = matrix.level_of(self.residual_score)

    def acceptance_is_valid(self, today: "dt.date") -> bool:
        return bool(self.accepted_at and self.acceptance_expires and self.acceptance_expires >= today)

    def acceptance_withdraw(self) -> None:
        """Forget the acceptance (its basis changed): the risk is open again until someone accepts it anew."""
        if self.accepted_at is None:
            raise ValueError("This risk has no acceptance to withdraw.")
        self.accepted_by = None
        self.accepted_at = None
        self.acceptance_justification = ""
        self.acceptance_expires = None
        if self.status == self.Status.ACCEPTED:
            self.status = self.Status.OPEN

    def needs_acceptance(self, matrix: RiskMatrix, today: "dt.date") -> bool:
        return self.effective_score > matrix.acceptance_threshold and not self.acceptance_is_valid(today)


class RiskUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Risk, on_delete=models.CASCADE)


class RiskGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Risk, on_delete=models.CASCADE)


class RiskAnalysis(models.Model):
    """A semiannual risk analysis: every risk in scope reviewed, then signed off by the CISO and Management.

    Sign-off freezes ``snapshot``: the register as it stood, readable and exportable later
    exactly as it was, whatever happens to the risks afterwards.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        SIGNED_OFF = "signed_off", _("Signed off")

    class Signature(models.TextChoices):
        """The two signatures an analysis needs (who may give which is the policy's answer)."""

        CISO = "CISO", _("CISO")
        MANAGEMENT = "Management", _("Management")

    name = models.CharField(_("name"), max_length=100, unique=True, help_text=_("For example “2026 H2”."))
    scope = models.TextField(_("scope"), blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    deadline = models.DateField(_("sign-off deadline"))
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("participants"), related_name="risk_analyses", blank=True
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous analysis"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    ciso_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ciso_signed_at = models.DateTimeField(null=True, blank=True)
    management_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    management_signed_at = models.DateTimeField(null=True, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("risk analysis")
        verbose_name_plural = _("risk analyses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="risks_analysis_period_order"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk and self.is_signed_off:
            stored = type(self).objects.filter(pk=self.pk).values("snapshot", "status").first()
            if stored and stored["status"] == self.Status.SIGNED_OFF and stored["snapshot"] != self.snapshot:
                raise ValueError("A signed-off risk analysis is immutable.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("risk_analysis", kwargs={"pk": self.pk})

    @property
    def is_signed_off(self) -> bool:
        return self.status == self.Status.SIGNED_OFF

    def sign(self, *, by: "User", signed_as: "RiskAnalysis.Signature", now: dt.datetime) -> None:
        """Put the CISO's or Management's signature on the analysis (who may is the policy's answer)."""
        if self.status != self.Status.IN_PROGRESS:
            raise ValidationError(_("Only an analysis in progress can be signed."))
        if signed_as is self.Signature.CISO:
            self.ciso_signed_by, self.ciso_signed_at = by, now
        else:
            self.management_signed_by, self.management_signed_at = by, now


class RiskReview(models.Model):
    """One risk's review within an analysis: who looked, when, and the score they confirmed or changed."""

    analysis = models.ForeignKey(RiskAnalysis, on_delete=models.CASCADE, related_name="reviews")
    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="reviews")
    likelihood_before = models.PositiveSmallIntegerField(validators=SCALE)
    impact_before = models.PositiveSmallIntegerField(validators=SCALE)
    likelihood_after = models.PositiveSmallIntegerField(validators=SCALE, null=True, blank=True)
    impact_after = models.PositiveSmallIntegerField(validators=SCALE, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["risk__reference"]
        constraints = [models.UniqueConstraint(fields=["analysis", "risk"], name="risks_review_once_per_analysis")]

    def __str__(self) -> str:
        return f"{self.analysis} · {self.risk.reference}"

    @property
    def score_change(self) -> int:
        if self.likelihood_after is None or self.impact_after is None:
            return 0
        return self.likelihood_after * self.impact_after - self.likelihood_before * self.impact_before


class TreatmentAction(ActionItem):
    """One step of a risk's treatment plan (ISO/IEC 27001 6.1.3 e): who does what by when."""

    class Status(models.TextChoices):
        PLANNED = ActionStatus.PLANNED.value, ActionStatus.PLANNED.label
        IN_PROGRESS = ActionStatus.IN_PROGRESS.value, ActionStatus.IN_PROGRESS.label
        DONE = ActionStatus.DONE.value, ActionStatus.DONE.label

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    owner = action_owner(related_name="treatment_actions")
    status = action_status(choices=Status, default=Status.PLANNED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(ActionItem.Meta):
        verbose_name = _("treatment action")
        verbose_name_plural = _("treatment actions")

    def __str__(self) -> str:
        return f"{self.risk.reference}: {self.title}"


class RiskImport(models.Model):
    """One uploaded file on its way into the register: read by a worker, previewed, then imported or not."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        PARSING = "parsing", _("Reading")
        READY = "ready", _("Ready to preview")
        FAILED = "failed", _("Failed")
        IMPORTING = "importing", _("Importing")
        IMPORTED = "imported", _("Imported")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    filename = models.CharField(_("file name"), max_length=200)
    # The uploaded bytes, only until the worker has read them.
    content = models.BinaryField(default=bytes, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_read = models.PositiveIntegerField(default=0)
    rows_declared = models.PositiveIntegerField(null=True, blank=True)
    good = models.PositiveIntegerField(default=0)
    bad = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import of {self.filename} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("risk_import_detail", args=[self.pk])

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.PARSING, self.Status.IMPORTING)


class RiskImportRow(models.Model):
    """One checked row of an import: its cells for the preview, its fields for the import, its errors."""

    batch = models.ForeignKey(RiskImport, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()  # as a spreadsheet numbers it: the header is row 1
    cells = models.JSONField(default=list)
    fields = models.JSONField(default=dict)
    errors = models.JSONField(default=list)  # [[column, message], …]

    class Meta:
        ordering = ["number"]
        indexes = [models.Index(fields=["batch", "number"], name="risks_importrow_batch_number")]

    def __str__(self) -> str:
        return f"Row {self.number}"
