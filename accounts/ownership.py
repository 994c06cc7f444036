"""Which records a person owns, so that offboarding can hand them over.

Apps with ownable records register them here (model and owner field) when they arrive;
sharing registers its revocation hook. Until then the registry is empty and offboarding
reports zero for these steps.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

from .models import User


@dataclass(frozen=True)
class OwnedModel:
    model: type[models.Model]
    owner_field: str


OWNED_MODELS: list[OwnedModel] = []
SHARE_REVOKERS: list[Callable[[User], int]] = []


def register(model: type[models.Model], owner_field: str = "owner") -> None:
    OWNED_MODELS.append(OwnedModel(model, owner_field))


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
        item.model._default_manager.filter(**{item.owner_field: user}).update(**{item.owner_field: to})
        for item in OWNED_MODELS
    )


def shares_revoke(user: User) -> int:
    return sum(revoke(user) for revoke in SHARE_REVOKERS)
