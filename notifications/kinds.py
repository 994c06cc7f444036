"""The kinds of reminder: a registry the apps that send reminders fill in their ``AppConfig.ready``.

A new kind needs no migration of notifications: the ``kind`` columns are plain text, and their choices
(the labels shown, and what ``full_clean`` accepts) come from this registry at run time::

    from notifications import kinds
    kinds.register(kinds.ReminderKind("risk_review", _("Risk review due")), order=10)
"""

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise

from core.registry import Registry

MAX_LENGTH = 20


@dataclass(frozen=True)
class ReminderKind:
    value: str
    label: str | Promise

    def __str__(self) -> str:
        return self.value


KINDS: Registry[ReminderKind] = Registry("reminder kinds")


def register(kind: ReminderKind, *, order: int = 100) -> ReminderKind:
    if len(kind.value) > MAX_LENGTH:
        raise ValueError(f"Reminder kind {kind.value!r} is longer than {MAX_LENGTH} characters.")
    return KINDS.register(kind.value, kind, order=order)


def values() -> list[str]:
    return KINDS.keys()


def choices() -> list[tuple[str, str | Promise]]:
    return [(kind.value, kind.label) for kind in KINDS]


def label(value: str) -> str:
    kind = KINDS.get(value)
    return str(kind.label) if kind else value


class KindField(models.CharField):
    """A reminder kind: text validated against the registry; migrations see a plain CharField."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_LENGTH)
        kwargs["choices"] = choices
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        kwargs.pop("choices", None)
        return name, "django.db.models.CharField", args, kwargs
