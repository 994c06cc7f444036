"""Panels of the dashboard that feature apps contribute (e.g. training: what is left for you).

An app registers a panel in ``AppConfig.ready``::

    from core import dashboard
    dashboard.PANELS.register("training", dashboard.Panel(template="training/dashboard_panel.html",
                                                           context=open_for), order=10)

``context(request)`` answers the panel's template context, or None when the panel has nothing to show.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from .registry import Registry


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]


@dataclass(frozen=True)
class ShownPanel:
    template: str
    context: dict[str, Any]


PANELS: Registry[Panel] = Registry("dashboard panels")


def panels_for(request: HttpRequest) -> list[ShownPanel]:
    shown = []
    for panel in PANELS:
        context = panel.context(request)
        if context is not None:
            shown.append(ShownPanel(panel.template, context))
    return shown
