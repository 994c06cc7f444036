"""Where an issue raised at a team meeting is handed on: the incident log registers its reporter here.

incidents registers ``incident_report`` in its AppConfig.ready, so reviews never imports incidents::

    escalation.REPORTERS.register(escalation.INCIDENT, incident_report)

A reporter is called as ``report(by=, title=, description=, affected=)`` and answers the new record.
"""

from collections.abc import Callable
from typing import Any

from core.registry import Registry

INCIDENT = "incident"

Reporter = Callable[..., Any]
REPORTERS: Registry[Reporter] = Registry("issue escalation")


def incident_reporter() -> Reporter | None:
    return REPORTERS.get(INCIDENT)
