"""Security awareness training (ISO/IEC 27001 7.2, 7.3, A.6.3): modules with an optional quiz, who must take
them or acknowledge a policy version by when (assignments), quiz attempts and completions.

A person's duty is an ``Assignment``: either a module to complete or a policy version to acknowledge, with a due
date. It is *open* until done, *done* when the completion or acknowledgement is recorded, or *superseded* when a
newer policy version replaced what it asked for. Completions keep the module, the time, the quiz score and the
policy versions acknowledged; they expire after the module's validity (0 months: never).
"""

import calendar
import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from core.models import TimeStampedModel

DEFAULT_ONBOARDING_DAYS = 14


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter: 31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def audience_includes(audience: list[str], roles: list[str]) -> bool:
    """Whether a person with ``roles`` is in ``audience`` (empty: everyone, consultants included)."""
    return not audience or bool(set(audience) & set(roles))


class TrainingSettings(models.Model):
    """The tenant's training settings (one row)."""

    onboarding_due_days = models.PositiveSmallIntegerField(
        _("onboarding due within (days)"),
        default=DEFAULT_ONBOARDING_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Newcomers must complete their onboarding set within this many days of joining."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("training settings")
        verbose_name_plural = _("training settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(onboarding_due_days__gte=1) & models.Q(onboarding_due_days__lte=365),
                name="training_settings_due_days_range",
            )
        ]

    def __str__(self) -> str:
        return str(_("Training settings"))

    @classmethod
    def current(cls) -> "TrainingSettings":
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls.objects.create()


class Module(TimeStampedModel):
    """A training module: content in Markdown, an optional quiz, policies to acknowledge at the end."""

    title = models.CharField(_("title"), max_length=200, unique=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    # These roles, or everyone (employees and consultants) when empty.
    audience = ArrayField(
        models.CharField(max_length=20, choices=Role.choices), blank=True, default=list, verbose_name=_("audience")
    )
    onboarding = models.BooleanField(
        _("part of onboarding"), default=False, help_text=_("Assigned automatically to newcomers in its audience.")
    )
    content = models.TextField(_("content (Markdown)"))
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Share of questions to answer correctly to pass the quiz."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        default=0,
        validators=[MaxValueValidator(120)],
        help_text=_("Take it again after this many months; 0 means once."),
    )
    policies = models.ManyToManyField(
        "policies.Policy",
        blank=True,
        related_name="training_modules",
        verbose_name=_("policies to acknowledge"),
        help_text=_("Their current published version is acknowledged at the end of the module."),
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive modules are neither assigned nor shown.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")
        permissions = [("view_compliance", "Can read the training compliance view")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pass_mark__gte=1) & models.Q(pass_mark__lte=100), name="training_module_pass_mark"
            ),
            models.CheckConstraint(condition=models.Q(validity_months__lte=120), name="training_module_validity"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training_module", args=[self.pk])

    def expiry_after(self, day: dt.date) -> dt.date | None:
        return months_after(day, self.validity_months) if self.validity_months else None

    def is_for(self, roles: list[str]) -> bool:
        return audience_includes(self.audience, roles)


class Question(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="questions", verbose_name=_("module"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=500)

    class Meta:
        ordering = ["module", "position", "pk"]
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")

    def __str__(self) -> str:
        return self.text


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("question"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("answer"), max_length=300)
    correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        ordering = ["question", "position", "pk"]
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")

    def __str__(self) -> str:
        return self.text


class Attempt(models.Model):
    """One submitted quiz: the score in whole percent, whether it passed, and the answers given."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_attempts", verbose_name=_("person")
    )
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("module"))
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    score = models.PositiveSmallIntegerField(_("score (%)"))
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"))
    passed = models.BooleanField(_("passed"))
    answers = models.JSONField(_("answers"), default=dict)  # {question id: [option ids]}
    # The completion this passed attempt led to; a passed attempt without one still waits for the acknowledgement.
    completion = models.ForeignKey(
        "Completion", on_delete=models.SET_NULL, null=True, blank=True, related_name="attempts"
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        constraints = [models.CheckConstraint(condition=models.Q(score__lte=100), name="training_attempt_score")]

    def __str__(self) -> str:
        return f"{self.module} – {self.user} – {self.score} %"


class Completion(models.Model):
    """A person completed a module: when, with which score, and which policy versions they acknowledged."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_completions",
        verbose_name=_("person"),
    )
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="completions", verbose_name=_("module"))
    completed_at = models.DateTimeField(_("completed"), auto_now_add=True)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    versions = models.ManyToManyField(
        "policies.PolicyVersion", blank=True, related_name="training_completions", verbose_name=_("acknowledged")
    )

    class Meta:
        ordering = ["-completed_at", "-pk"]
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        indexes = [models.Index(fields=["user", "module", "-completed_at"], name="training_completion_recent")]

    def __str__(self) -> str:
        return f"{self.module} – {self.user}"

    def is_valid(self, today: dt.date) -> bool:
        return self.expires_on is None or self.expires_on > today


class Assignment(models.Model):
    """A duty of one person: complete a module, or acknowledge a policy version, by a due date."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        SUPERSEDED = "superseded", _("Superseded")

    class Reason(models.TextChoices):
        ONBOARDING = "onboarding", _("Onboarding")
        ASSIGNED = "assigned", _("Assigned")
        RENEWAL = "renewal", _("Due again")
        NEW_VERSION = "new_version", _("New policy version")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_assignments",
        verbose_name=_("person"),
    )
    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, null=True, blank=True, related_name="assignments", verbose_name=_("module")
    )
    version = models.ForeignKey(
        "policies.PolicyVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_assignments",
        verbose_name=_("policy version"),
    )
    reason = models.CharField(_("why"), max_length=12, choices=Reason.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    due_date = models.DateField(_("due"))
    completed_at = models.DateTimeField(_("done"), null=True, blank=True)
    completion = models.ForeignKey(
        Completion, on_delete=models.SET_NULL, null=True, blank=True, related_name="assignments"
    )
    acknowledgement = models.ForeignKey(
        "policies.Acknowledgement", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [
            models.Index(fields=["user", "status"], name="training_assignment_user"),
            models.Index(fields=["status", "due_date"], name="training_assignment_due"),
        ]
        constraints = [
            # Exactly one of: a module to complete, a policy version to acknowledge.
            models.CheckConstraint(
                condition=(models.Q(module__isnull=False) & models.Q(version__isnull=True))
                | (models.Q(module__isnull=True) & models.Q(version__isnull=False)),
                name="training_assignment_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} – {self.user}"

    @property
    def subject(self) -> str:
        if self.module_id is not None:
            return str(self.module)
        version = self.version
        if version is None:  # the database requires a module or a version
            return ""
        return str(_("Acknowledge %(policy)s version %(number)s")) % {
            "policy": version.policy,
            "number": version.number,
        }

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == self.Status.OPEN and self.due_date < today
