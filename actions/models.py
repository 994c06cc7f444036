"""The abstract action item: the fields and one-row rules every tracked action shares (see ``actions``)."""

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import User


class ActionStatus(models.TextChoices):
    """The status values all action tables share; a table's own ``Status`` repeats those it uses."""

    OPEN = "open", _("Open")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


def action_owner(*, related_name: str) -> Any:
    """The person who does the action; protected, so people leave only after handing their actions over."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name=related_name
    )


def action_status(*, choices: type[models.TextChoices], default: str) -> Any:
    return models.CharField(_("status"), max_length=12, choices=choices.choices, default=default)


class ActionItem(models.Model):
    """Who does what by when. Concrete tables add ``owner = action_owner(...)``, ``status = action_status(...)``
    and the link to what the action is for; a table that closes with other statuses than "done" sets ``CLOSED``,
    and one that keeps its closing time in another column sets ``completed_at = None`` and ``closed_field``."""

    title = models.CharField(_("action"), max_length=300)
    due_date = models.DateField(_("due date"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    # The statuses that end the action, and the column stamped when it ends.
    CLOSED: ClassVar[tuple[str, ...]] = (ActionStatus.DONE,)
    closed_field: ClassVar[str] = "completed_at"

    # Declared by the concrete tables (see the class docstring).
    Status: ClassVar[type[models.TextChoices]]
    status: str
    owner: "User"
    owner_id: int

    class Meta:
        abstract = True
        ordering = ["due_date", "id"]  # concrete tables keep it with ``class Meta(ActionItem.Meta)``

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED

    def is_overdue(self, today: dt.date) -> bool:
        return not self.is_closed and self.due_date < today

    def closed_at_stamp(self, status: str, now: dt.datetime) -> None:
        """Stamp the closing time when ``status`` ends the action (kept if it already ended), clear it otherwise."""
        current = getattr(self, self.closed_field)
        setattr(self, self.closed_field, (current or now) if status in self.CLOSED else None)
