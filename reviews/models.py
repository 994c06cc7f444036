"""ISMS management review meetings (ISO/IEC 27001 §9.3), their minutes and action items, and team meeting records.

A review meeting moves planned → held → minutes approved. While planned, its agenda shows live
figures from the agenda feeds (``reviews.feeds``); holding it freezes those figures into
``snapshot``, so the agenda of a held meeting reads the same whatever happens to the data later.
"""

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import ActionItem as BaseActionItem
from actions.models import ActionStatus, action_owner, action_status
from core.models import TimeStampedModel

if TYPE_CHECKING:
    from accounts.models import User


class Section(models.TextChoices):
    """The inputs to a management review, ISO/IEC 27001:2022 §9.3.2 (a)–(g)."""

    A = "a", _("Status of actions from previous management reviews")
    B = "b", _("Changes in external and internal issues relevant to the ISMS")
    C = "c", _("Changes in needs and expectations of interested parties")
    D = "d", _("Information security performance")
    E = "e", _("Feedback from interested parties")
    F = "f", _("Results of risk assessment and status of the risk treatment plan")
    G = "g", _("Opportunities for continual improvement")


SECTION_HINTS = {
    Section.B: _("New laws, contracts, technology, organisation changes, threats since the last review."),
    Section.C: _("Customers, regulators, staff, suppliers: what they now expect of the ISMS."),
    Section.D: _(
        "Nonconformities and corrective actions, monitoring and measurement results, audit results, "
        "fulfilment of information security objectives."
    ),
    Section.E: _("Customer questionnaires, complaints, staff suggestions, supplier feedback."),
    Section.G: _("Improvements proposed by anyone since the last review."),
}


EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_AHEAD = dt.timedelta(days=5 * 366)


class ReviewMeeting(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        APPROVED = "approved", _("Minutes approved")

    title = models.CharField(_("title"), max_length=200, help_text=_("For example “Management review 2026”."))
    date = models.DateField(_("date"))
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("chair"), on_delete=models.PROTECT, related_name="reviews_chaired"
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("attendees"), related_name="reviews_attended", blank=True
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("minutes approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("minutes approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The feeds' figures as they stood when the meeting was held; empty while planned.
    snapshot = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("management review")
        verbose_name_plural = _("management reviews")
        permissions = [("approve_reviewmeeting", "Can approve the minutes of a management review")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="reviews_meeting_title_given"),
            models.CheckConstraint(
                condition=models.Q(status="planned") | models.Q(status="held") | models.Q(status="approved"),
                name="reviews_meeting_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%Y-%m-%d})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk and self.status != self.Status.PLANNED:
            stored = type(self).objects.filter(pk=self.pk).values("snapshot", "status").first()
            if stored and stored["status"] != self.Status.PLANNED and stored["snapshot"] != self.snapshot:
                raise ValueError("The agenda of a held management review is frozen.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("review", kwargs={"pk": self.pk})

    def clean(self) -> None:
        # The agenda's feeds count up to the day after the meeting: the last representable date has none.
        if self.date and not (EARLIEST_DATE <= self.date <= timezone.localdate() + LATEST_AHEAD):
            raise ValidationError({"date": _("Choose a date from the year 2000 up to five years ahead.")})

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    def hold(self, *, by: "User", snapshot: dict, today: dt.date) -> None:
        """Planned → held: the meeting took place; the agenda's figures are frozen."""
        if self.status != self.Status.PLANNED:
            raise ValidationError(_("Only a planned review can be marked as held."))
        if self.date > today:
            raise ValidationError(_("A review can be marked as held on or after its date, not before."))
        self.status = self.Status.HELD
        self.snapshot = snapshot
        self.held_at = timezone.now()
        self.held_by = by

    def approve(self, *, by: "User") -> None:
        """Held → minutes approved: the minutes are final."""
        if self.status != self.Status.HELD:
            raise ValidationError(_("Only the minutes of a held review can be approved."))
        self.status = self.Status.APPROVED
        self.approved_at = timezone.now()
        self.approved_by = by


class AgendaSection(models.Model):
    """One §9.3.2 input of one meeting: prepared text before the meeting, the minutes' notes after."""

    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="sections")
    section = models.CharField(_("section"), max_length=1, choices=Section.choices)
    input = models.TextField(_("input"), blank=True, help_text=_("Prepared before the meeting."))
    notes = models.TextField(_("minutes"), blank=True, help_text=_("What was said and concluded."))

    class Meta:
        ordering = ["section"]
        constraints = [models.UniqueConstraint(fields=["meeting", "section"], name="reviews_section_once")]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.section}"


class Decision(models.Model):
    """A decision of a review (§9.3.3): a continual-improvement opportunity or a change to the ISMS."""

    class Kind(models.TextChoices):
        IMPROVEMENT = "improvement", _("Continual improvement")
        ISMS_CHANGE = "isms_change", _("Change to the ISMS")
        RESOURCES = "resources", _("Resource needs")

    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("decision"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~models.Q(text=""), name="reviews_decision_text_given")]

    def __str__(self) -> str:
        return self.text[:80]


class TeamMeeting(TimeStampedModel):
    """A team's fortnightly meeting with information security as a standing item."""

    date = models.DateField(_("date"))
    team = models.CharField(_("team"), max_length=100)
    notes = models.TextField(_("notes"), blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("attendees"), related_name="team_meetings_attended", blank=True
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("team meeting")
        verbose_name_plural = _("team meetings")
        constraints = [models.CheckConstraint(condition=~models.Q(team=""), name="reviews_teammeeting_team_given")]

    def __str__(self) -> str:
        return f"{self.team} {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("team_meeting", kwargs={"pk": self.pk})


class RaisedIssue(models.Model):
    """Something raised under the security item of a team meeting; it may become an incident or an action."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("Open")
        INCIDENT = "incident", _("Reported as incident")
        ACTION = "action", _("Action item")
        NOTED = "noted", _("Noted, nothing to do")

    meeting = models.ForeignKey(TeamMeeting, on_delete=models.CASCADE, related_name="issues")
    text = models.TextField(_("issue"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    # The incident it became, by reference and link (the incident log is another app's).
    incident_reference = models.CharField(_("incident"), max_length=40, blank=True)
    incident_link = models.CharField(max_length=300, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~models.Q(text=""), name="reviews_issue_text_given")]

    def __str__(self) -> str:
        return self.text[:80]


class ActionItem(TimeStampedModel, BaseActionItem):
    """An action decided in a management review (or from a team meeting's raised issue): owner, due date, status.

    Open actions of earlier reviews appear in section (a) of every later review until closed.
    """

    class Status(models.TextChoices):
        OPEN = ActionStatus.OPEN.value, ActionStatus.OPEN.label
        IN_PROGRESS = ActionStatus.IN_PROGRESS.value, ActionStatus.IN_PROGRESS.label
        DONE = ActionStatus.DONE.value, ActionStatus.DONE.label
        DROPPED = "dropped", _("Dropped")

    CLOSED = (Status.DONE, Status.DROPPED)
    closed_field = "closed_at"

    meeting = models.ForeignKey(
        ReviewMeeting,
        verbose_name=_("management review"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
    )
    issue = models.OneToOneField(
        RaisedIssue,
        verbose_name=_("raised issue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action",
    )
    owner = action_owner(related_name="review_actions")
    status = action_status(choices=Status, default=Status.OPEN)
    completed_at = None  # this table's closing time is closed_at
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta(BaseActionItem.Meta):
        verbose_name = _("review action item")
        verbose_name_plural = _("review action items")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(meeting__isnull=False) | models.Q(issue__isnull=False),
                name="reviews_action_has_origin",
            ),
            models.CheckConstraint(condition=~models.Q(title=""), name="reviews_action_title_given"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("review_action", kwargs={"pk": self.pk})

    def status_set(self, status: str) -> None:
        if status not in self.Status.values:
            raise ValidationError(_("Unknown status."))
        self.status = status
        self.closed_at_stamp(status, timezone.now())
