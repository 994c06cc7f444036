"""Which records a person owns, so that offboarding can hand them over.

Apps with ownable records register them here (model, owner field, hand-over function)
in their AppConfig.ready; sharing registers its revocation hook.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models

from .models import User


@dataclass(frozen=True)
class OwnedModel:
    model: type[models.Model]
    owner_field: str
    reassign: Callable[[User, User], int] | None


OWNED_MODELS: list[OwnedModel] = []
SHARE_REVOKERS: list[Callable[[User], int]] = []


def register(
    model: type[models.Model], owner_field: str = "owner", reassign: Callable[[User, User], int] | None = None
) -> None:
    """``reassign`` hands records over with their side effects (object permissions, audit)."""
    if all(item.model is not model for item in OWNED_MODELS):
        OWNED_MODELS.append(OwnedModel(model, owner_field, reassign))


def records_owned_by(user: User) -> list[tuple[str, int]]:
    return [
        (
            str(item.model._meta.verbose_name_plural),
            item.model._default_manager.filter(**{item.owner_field: user}).count(),
        )
        for item in OWNED_MODELS
    ]


def records_reassign(user: User, to: User) -> int:
    return sum(
        item.reassign(user, to)
        if item.reassign
        else item.model._default_manager.filter(**{item.owner_field: user}).update(**{item.owner_field: to})
        for item in OWNED_MODELS
    )


def shares_revoke(user: User) -> int:
    return sum(revoke(user) for revoke in SHARE_REVOKERS)


def hand_over(
    records: Iterable[models.Model],
    *,
    field: str,
    user: User,
    to: User,
    action: str,
    audited_on: Callable[[Any], models.Model] | None = None,
    change_key: Callable[[Any], str] | None = None,
    then: Callable[[Any], None] | None = None,
) -> int:
    """Move each record's ``field`` from ``user`` to ``to`` and record every hand-over as an offboarding event.

    ``audited_on`` names the record the event is written on (default: the record itself, e.g. an action's
    incident instead), ``change_key`` the key of the change (default: ``field``), and ``then`` runs each
    record's side effects (object permissions) after it is saved. Returns how many were handed over.
    """
    import audit

    count = 0
    for record in records:
        setattr(record, field, to)
        stamped = any(model_field.name == "updated_at" for model_field in record._meta.fields)
        record.save(update_fields=[field, "updated_at"] if stamped else [field])
        if then is not None:
            then(record)
        audit.record(
            actor=None,
            actor_label="offboarding",
            action=action,
            obj=audited_on(record) if audited_on else record,
            changes={(change_key(record) if change_key else field): [user.email, to.email]},
        )
        count += 1
    return count
