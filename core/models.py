"""Shared model bases and the record of background task runs in a tenant's schema."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class TaskRun(models.Model):
    """One run of a background task for this tenant: what ran, where, and how it ended."""

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    task = models.CharField(_("task"), max_length=200)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    detail = models.TextField(_("detail"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), auto_now_add=True)

    class Meta:
        ordering = ["-finished_at"]
        indexes = [models.Index(fields=["task", "-finished_at"], name="core_taskrun_task_recent")]

    def __str__(self) -> str:
        return f"{self.task} {self.status} at {self.finished_at:%Y-%m-%d %H:%M}"
