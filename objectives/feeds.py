"""Agenda feed of objectives for management reviews (§9.3.2 d)."""

import datetime as dt
from collections import Counter

from django.utils.translation import gettext as _

from reviews.feeds import ITEM_LIMIT, Figures

from .models import Objective


def objectives_for_review(since: dt.date | None, until: dt.date) -> Figures:
    """Section (d): fulfilment of the security objectives."""
    rows = list(Objective.objects.prefetch_related("key_results").order_by("-period", "title", "pk"))
    statuses = Counter(objective.status for objective in rows)
    return {
        "rows": [
            [_("Security objectives"), len(rows)],
            *[[str(label), statuses.get(value, 0)] for value, label in Objective.Status.choices],
        ],
        "items": [
            [
                _("%(objective)s: %(percent)s %% — %(status)s")
                % {"objective": objective, "percent": objective.percent, "status": objective.get_status_display()},
                objective.get_absolute_url(),
            ]
            for objective in rows[:ITEM_LIMIT]
        ],
        "note": "" if rows else _("No security objectives are set."),
    }
