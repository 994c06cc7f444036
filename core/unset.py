"""``UNSET``: the default of an update service's argument that the caller leaves as it is.

An update service names every field it may change, keyword-only and typed; a field not passed keeps its
value. ``None`` cannot mean "unchanged", since clearing a date or an assignee is a change.
"""

import enum
from typing import Any, Final


class Unset(enum.Enum):
    UNSET = "unset"

    def __bool__(self) -> bool:
        return False


UNSET: Final = Unset.UNSET


def given(**values: Any) -> dict[str, Any]:
    """The named arguments the caller passed (those not left ``UNSET``), in order."""
    return {name: value for name, value in values.items() if value is not UNSET}
