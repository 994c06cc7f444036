"""Links of the risk pages to records of apps that build on risks (controls, objectives).

Those apps import risks, never the reverse: each registers in its AppConfig.ready who may see or
create its linked records, and the risk pages ask here::

    related.PERMISSIONS.register(related.CONTROLS_VIEW, control_policy.can_view)

An unregistered link is shown to nobody.
"""

from collections.abc import Callable
from typing import Any

from core.registry import Registry

CONTROLS_VIEW = "controls.view"  # may read the Statement of Applicability (controls linked to a risk)
OBJECTIVES_CREATE = "objectives.create"  # may set an objective from a signed-off risk analysis

Check = Callable[[Any], bool]
PERMISSIONS: Registry[Check] = Registry("risk page links")


def allowed(key: str, user: Any) -> bool:
    check = PERMISSIONS.get(key)
    return bool(check is not None and check(user))
