"""Which records a person owns, so that offboarding can hand them over.

Apps with ownable records register them here (model, owner field, hand-over function)
in their AppConfig.ready; sharing registers its revocation hook.
"""

from collections.abc import Callable
from dataclasses import dataclass

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
