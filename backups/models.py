"""A tenant's backups and the restore drills run against them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BackupRecord(models.Model):
    """One encrypted archive of the tenant's schema and files, for one scheduled slot."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        PRUNED = "pruned", _("Pruned")

    slot = models.CharField(_("slot"), max_length=40, help_text=_("The schedule slot, e.g. 2026-11-26 or manual-…"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    object_name = models.CharField(_("object"), max_length=200)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    size = models.BigIntegerField(_("size"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 of the ciphertext"), max_length=64, blank=True)
    key_id = models.CharField(_("key id"), max_length=40, blank=True)
    manifest = models.JSONField(_("manifest"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    pruned_at = models.DateTimeField(_("pruned at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # A retried or duplicated job never makes a second backup for the same slot.
            models.UniqueConstraint(
                fields=["slot"],
                # OR'd equalities, not IN: PostgreSQL prints an IN list differently once the
                # index is copied into a cloned schema, which would break clone == migrate.
                condition=models.Q(status="running") | models.Q(status="succeeded") | models.Q(status="pruned"),
                name="backups_one_per_slot",
            )
        ]

    def __str__(self) -> str:
        return f"Backup {self.slot} ({self.status})"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class RestoreDrill(models.Model):
    """A restore of one backup into a scratch database: verified, timed, compared to RTO and RPO.

    Asked for on the backups and restore drills page or by the weekly schedule, run by a worker, one at a time
    per tenant.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    class Step(models.TextChoices):
        DECRYPTING = "decrypting", _("Fetching and decrypting the backup")
        RESTORING = "restoring", _("Restoring into a scratch database")
        COMPARING = "comparing", _("Comparing every table with the backup")

    backup = models.ForeignKey(BackupRecord, on_delete=models.PROTECT, related_name="drills")
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who asked, as shown and audited: a person's address, "scheduled" or "operator" (a command).
    requested_label = models.CharField(_("requested by"), max_length=254, blank=True)
    step = models.CharField(_("step"), max_length=20, choices=Step.choices, blank=True)
    scratch_database = models.CharField(_("scratch database"), max_length=63, blank=True)
    restore_seconds = models.FloatField(_("measured restore time (s)"), null=True, blank=True)
    backup_age_seconds = models.FloatField(_("age of the restored backup (s)"), null=True, blank=True)
    tables_checked = models.PositiveIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Drill of {self.backup.slot}: {self.status}"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
