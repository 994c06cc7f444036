"""The incident log: incidents with their workflow, timeline, corrective actions, attachments and breach clock."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import ActionItem, ActionStatus, action_owner, action_status
from core.models import TimeStampedModel

# GDPR art. 33(1): notify the supervisory authority within 72 hours of becoming aware of a breach.
BREACH_NOTIFY_WITHIN = dt.timedelta(hours=72)


class Type(models.TextChoices):
    SECURITY = "security", _("Security")
    OPERATIONAL = "operational", _("Operational")
    PRIVACY = "privacy", _("Privacy")


class Severity(models.IntegerChoices):
    CRITICAL = 1, _("1 – Critical")
    HIGH = 2, _("2 – High")
    MEDIUM = 3, _("3 – Medium")
    LOW = 4, _("4 – Low")


SEVERITY_DEFINITIONS = {
    Severity.CRITICAL: _(
        "Customer data exposed or altered, or the service down for many customers; act now, around the clock."
    ),
    Severity.HIGH: _(
        "A confirmed compromise or serious outage contained to part of the service or a few customers; "
        "act within hours."
    ),
    Severity.MEDIUM: _("A limited impact with a workaround, or a suspected compromise; act within a working day."),
    Severity.LOW: _("No real impact (an event, a near miss, a policy deviation); handle in normal work."),
}


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    TRIAGED = "triaged", _("Triaged")
    CONTAINED = "contained", _("Contained")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# The workflow: the only moves a handler may make. A closed incident leaves "closed" only by
# reopen(), which is its own audited action (back to "triaged").
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.REPORTED: (Status.TRIAGED,),
    Status.TRIAGED: (Status.CONTAINED, Status.RESOLVED),
    Status.CONTAINED: (Status.RESOLVED,),
    Status.RESOLVED: (Status.CLOSED,),
    Status.CLOSED: (),
}
OPEN_STATUSES = (Status.REPORTED, Status.TRIAGED, Status.CONTAINED)


class TransitionNotAllowed(ValidationError):
    """The incident's current status does not allow the asked-for move."""


class ClosedIncident(ValidationError):
    """A closed incident is read-only until it is reopened."""


class Incident(TimeStampedModel):
    Type = Type
    Severity = Severity
    Status = Status

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"), blank=True)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices, default=Type.SECURITY)
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, null=True, blank=True, help_text=_("Set at triage.")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REPORTED)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    detected_at = models.DateTimeField(_("detected at"), default=timezone.now)
    contained_at = models.DateTimeField(_("contained at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.PROTECT,
        related_name="incidents_reported",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        related_name="incidents_assigned",
        null=True,
        blank=True,
    )
    affected = models.JSONField(_("affected services and assets"), default=list, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    lessons_learned = models.TextField(_("lessons learned"), blank=True)
    risks = models.ManyToManyField("risks.Risk", verbose_name=_("linked risks"), related_name="incidents", blank=True)
    # Personal-data breach (GDPR art. 33/34): the clock runs from detection.
    personal_data_breach = models.BooleanField(_("personal-data breach"), default=False)
    authority_notified_at = models.DateTimeField(_("supervisory authority notified at"), null=True, blank=True)
    authority_not_notified_reason = models.TextField(_("why the authority was not notified"), blank=True)
    subjects_notified_at = models.DateTimeField(_("data subjects notified at"), null=True, blank=True)
    subjects_not_notified_reason = models.TextField(_("why the data subjects were not notified"), blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(fields=["-reported_at", "-id"], name="incidents_recent"),
            models.Index(fields=["status", "severity"], name="incidents_status_severity"),
            models.Index(fields=["reporter", "-reported_at"], name="incidents_reporter_recent"),
            models.Index(fields=["assignee", "status"], name="incidents_assignee_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(severity__isnull=True) | models.Q(severity__gte=1, severity__lte=4),
                name="incidents_severity_1_to_4",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["reported"]) | models.Q(severity__isnull=False),
                name="incidents_triaged_has_severity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("incident", kwargs={"pk": self.pk})

    # --- workflow (one-row rules; the services audit them)

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def allowed_transitions(self) -> tuple[str, ...]:
        return TRANSITIONS[self.status]

    def transition(self, to: str, *, at: dt.datetime | None = None) -> str:
        """Move to ``to`` if the workflow allows it from the current status; returns the old status."""
        if to not in self.allowed_transitions():
            raise TransitionNotAllowed(
                _("An incident that is %(current)s cannot be moved to %(to)s.")
                % {"current": self.get_status_display().lower(), "to": _status_label(to).lower()}
            )
        if to == Status.TRIAGED and self.severity is None:
            raise ValidationError(_("Set the severity when triaging."))
        if to == Status.CLOSED and not self.root_cause.strip():
            raise ValidationError(_("Record the root cause before closing."))
        at = at or timezone.now()
        before = self.status
        self.status = to
        if to == Status.CONTAINED:
            self.contained_at = at
        elif to == Status.RESOLVED:
            self.resolved_at = at
        elif to == Status.CLOSED:
            self.closed_at = at
        return before

    def reopen(self) -> str:
        """A closed incident goes back to "triaged" (the only way to change a closed incident)."""
        if not self.is_closed:
            raise TransitionNotAllowed(_("Only a closed incident can be reopened."))
        before = self.status
        self.status = Status.TRIAGED
        self.closed_at = None
        self.resolved_at = None
        return before

    def ensure_editable(self) -> None:
        if self.is_closed:
            raise ClosedIncident(_("This incident is closed. Reopen it to change it."))

    # --- breach clock

    @property
    def breach_deadline(self) -> dt.datetime | None:
        return self.detected_at + BREACH_NOTIFY_WITHIN if self.personal_data_breach else None

    @property
    def authority_decided(self) -> bool:
        """Notified, or a reason recorded why not: the art. 33 clock no longer needs watching."""
        return self.authority_notified_at is not None or bool(self.authority_not_notified_reason.strip())

    def breach_time_left(self, now: dt.datetime) -> dt.timedelta | None:
        deadline = self.breach_deadline
        return None if deadline is None else deadline - now

    @property
    def time_to_resolve(self) -> dt.timedelta | None:
        return self.resolved_at - self.detected_at if self.resolved_at else None


def _status_label(value: str) -> str:
    return str(dict(Status.choices).get(value, value))


class IncidentSequence(models.Model):
    """The last reference number handed out per year (INC-2026-0001, …), taken with one atomic UPSERT."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class StatusChange(models.Model):
    """One move of the workflow (or a reopening): who, when, from and to, and why."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    reopened = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.incident.reference}: {self.from_status or '—'} → {self.to_status}"


class TimelineEntry(models.Model):
    """A time-stamped note by a person: what was seen or done, and when."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("when"), default=timezone.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return f"{self.incident.reference} {self.at:%Y-%m-%d %H:%M}"


class CorrectiveAction(ActionItem):
    """A corrective action (ISO/IEC 27001 10.2): who does what by when, tracked until done."""

    class Status(models.TextChoices):
        OPEN = ActionStatus.OPEN.value, ActionStatus.OPEN.label
        IN_PROGRESS = ActionStatus.IN_PROGRESS.value, ActionStatus.IN_PROGRESS.label
        DONE = ActionStatus.DONE.value, ActionStatus.DONE.label

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="actions")
    owner = action_owner(related_name="corrective_actions")
    status = action_status(choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(ActionItem.Meta):
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        indexes = [models.Index(fields=["status", "due_date"], name="incidents_action_status_due")]

    def __str__(self) -> str:
        return f"{self.incident.reference}: {self.title}"


class Attachment(models.Model):
    """Evidence, a log or a screenshot: stored encrypted in the tenant's own container under ``object_name``."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    object_name = models.CharField(max_length=200, unique=True, editable=False)
    stored_size = models.PositiveBigIntegerField()
    stored_sha256 = models.CharField(max_length=64)
    key_id = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("incident_attachment", kwargs={"pk": self.incident_id, "attachment_pk": self.pk})
