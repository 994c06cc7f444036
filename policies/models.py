"""Security policy documents, their versions and who acknowledged which version (ISO/IEC 27001 5.2, A.5.1, A.6.3)."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from core.models import TimeStampedModel


class Policy(TimeStampedModel):
    """A policy document (e.g. the IT security policy); its text lives in its versions."""

    title = models.CharField(_("title"), max_length=200, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="policies_owned", verbose_name=_("owner")
    )
    # Who must read and acknowledge it: these roles, or everyone (employees and consultants) when empty.
    audience = ArrayField(
        models.CharField(max_length=20, choices=Role.choices), blank=True, default=list, verbose_name=_("audience")
    )
    # The policy every newcomer acknowledges as part of onboarding (e.g. the IT security policy).
    onboarding = models.BooleanField(_("part of onboarding"), default=False)

    class Meta:
        ordering = ["title"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("policy", args=[self.pk])

    @property
    def audience_labels(self) -> list[str]:
        """The audience's roles by their (translated) names; empty for everyone."""
        return [str(Role(value).label) for value in self.audience if value in Role.values]


class PolicyVersion(models.Model):
    """One numbered text of a policy: draft → approved → published → retired. Published text never changes."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="versions", verbose_name=_("policy"))
    number = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text (Markdown)"))
    change_summary = models.CharField(_("what changed"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Everyone who wrote any of the draft (its author included): none of them may approve it (A.5.3).
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="policy_versions_edited", blank=True, verbose_name=_("edited by")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["policy", "-number"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        permissions = [("approve_policyversion", "Can approve, publish and retire policy versions")]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policies_version_number_unique"),
            models.UniqueConstraint(
                fields=["policy"], condition=models.Q(status="published"), name="policies_one_published_version"
            ),
            # One text in the works at a time: a draft, or an approved text waiting to be published.
            models.UniqueConstraint(
                fields=["policy"],
                # Written as OR, not IN: a cloned schema renders IN's array cast differently (tenants/clone check).
                condition=models.Q(status="draft") | models.Q(status="approved"),
                name="policies_one_pending_version",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft"]) | models.Q(approved_by__isnull=False),
                name="policies_version_approved_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("policy_version", args=[self.policy_id, self.number])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def written_by(self, user: Any) -> bool:
        """Whether ``user`` wrote or edited this text."""
        return bool(self.created_by_id == user.pk or self.editors.filter(pk=user.pk).exists())

    def approve(self, *, by: Any, at: datetime) -> None:
        if self.status != self.Status.DRAFT:
            raise ValidationError(_("Only a draft can be approved."))
        self.status, self.approved_by, self.approved_at = self.Status.APPROVED, by, at

    def publish(self, *, at: datetime) -> None:
        if self.status != self.Status.APPROVED:
            raise ValidationError(_("Only an approved version can be published."))
        self.status, self.published_at = self.Status.PUBLISHED, at

    def retire(self, *, at: datetime) -> None:
        """Take the published version out of force, or withdraw an approved one that never came into force."""
        if self.status not in (self.Status.PUBLISHED, self.Status.APPROVED):
            raise ValidationError(_("Only the published or an approved version can be retired."))
        self.status, self.retired_at = self.Status.RETIRED, at


class Acknowledgement(models.Model):
    """A person's "I have read and understood version N"; kept when later versions are published."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acknowledgements", verbose_name=_("person")
    )
    version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="acknowledgements", verbose_name=_("policy version")
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), auto_now_add=True)

    class Meta:
        ordering = ["-acknowledged_at"]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="policies_ack_once_per_version")]

    def __str__(self) -> str:
        return f"{self.user} – {self.version}"
