"""Whether a dated duty is overdue, answered by its model (templates never compare dates themselves)."""

import datetime as dt
from typing import Any

from django import template

register = template.Library()


@register.filter
def overdue_on(item: Any, today: dt.date) -> bool:
    """``{% if action|overdue_on:today %}``: the item's own ``is_overdue(today)``."""
    if not isinstance(today, dt.date):  # a page without ``today`` shows nothing as overdue, as before
        return False
    return bool(item.is_overdue(today))
