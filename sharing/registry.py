"""Models that opt in to sharing, each with the policy that says who may share and see it."""

from typing import Any, Protocol, cast

from django.db import models


class SharingPolicy(Protocol):
    def can_view(self, user: Any, obj: Any) -> bool: ...

    def can_share(self, user: Any, obj: Any) -> bool: ...

    def owner_of(self, obj: Any) -> Any: ...


_POLICIES: dict[type[models.Model], SharingPolicy] = {}


def register(model: type[models.Model], policy: SharingPolicy) -> None:
    _POLICIES[model] = policy


def policy_for(model: type[models.Model]) -> SharingPolicy | None:
    return _POLICIES.get(model)


def shareable_models() -> list[type[models.Model]]:
    return list(_POLICIES)


class _HasPage(Protocol):
    def get_absolute_url(self) -> str: ...


def record_url(obj: models.Model) -> str:
    """The page of a shared record: every shareable model has ``get_absolute_url``."""
    return cast(_HasPage, obj).get_absolute_url()
