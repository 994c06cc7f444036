"""The areas of a tenant's portal (navigation and dashboard cards) and the cards of the admin hub.

Feature apps register their area in ``AppConfig.ready``::

    from core import navigation
    navigation.AREAS.register("risks", navigation.Area("risks", _("Risks"), _("..."), "risks"), order=10)

and apps with an administrative page add a card to the admin hub with ``navigation.ADMIN_CARDS``;
a card shows only to people its ``visible(user)`` lets see it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .registry import Registry


@dataclass(frozen=True)
class Area:
    slug: str
    title: str | Promise
    summary: str | Promise
    url_name: str  # the area's own page

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class AdminCard:
    title: str | Promise
    summary: str | Promise
    url_name: str
    visible: Callable[[Any], bool] = lambda user: True

    @property
    def url(self) -> str:
        return reverse(self.url_name)


AREAS: Registry[Area] = Registry("navigation areas")
ADMIN_CARDS: Registry[AdminCard] = Registry("admin hub cards")

# Core's own area: the admin hub, always last.
AREAS.register(
    "admin",
    Area(
        "admin",
        _("Admin"),
        _("People and roles, sharing, two-factor authentication, audit trail, backups and restore drills."),
        "admin_hub",
    ),
    order=90,
)


def areas() -> list[Area]:
    return AREAS.items()


def area_for(slug: str) -> Area | None:
    return AREAS.get(slug)


def admin_cards_for(user: Any) -> list[AdminCard]:
    return [card for card in ADMIN_CARDS if card.visible(user)]
