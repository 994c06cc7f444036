"""Agenda feed of risk assessment and treatment for management reviews (§9.3.2 f)."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from reviews.feeds import Figures
from reviews.feeds import as_of as _as_of
from reviews.feeds import day as _day

from .analyses import summary
from .models import Level, RiskAnalysis, TreatmentAction


def risks_for_review(since: dt.date | None, until: dt.date) -> Figures:
    """Section (f): the latest signed-off risk analysis and the treatment plan's status."""
    today = _as_of(until)
    analysis = (
        RiskAnalysis.objects.filter(status=RiskAnalysis.Status.SIGNED_OFF, signed_off_at__date__lte=until)
        .order_by("-signed_off_at", "-id")
        .first()
    )
    rows: list[list[Any]] = []
    items: list[list[str]] = []
    note = ""
    if analysis is None:
        note = _("No risk analysis has been signed off yet.")
    else:
        figures = summary(list(analysis.snapshot.get("risks", [])))
        levels = dict(figures["by_level"])
        rows.append([_("Latest signed-off risk analysis"), f"{analysis.name} ({_day(analysis.signed_off_at)})"])
        rows.append([_("Risks in the analysis"), figures["total"]])
        rows.append(
            [
                _("Risks reviewed in the analysis"),
                _("%(reviewed)s of %(in_scope)s")
                % {"reviewed": analysis.snapshot.get("reviewed", 0), "in_scope": analysis.snapshot.get("in_scope", 0)},
            ]
        )
        for value, label in reversed(Level.choices):
            rows.append([_("Risk level: %(level)s") % {"level": label}, levels.get(value, 0)])
        items.append([_("Report of risk analysis %(name)s") % {"name": analysis.name}, analysis.get_absolute_url()])
        items += [[f"{risk['reference']} {risk['title']} ({risk['score']})", ""] for risk in figures["top"][:5]]
    actions = TreatmentAction.objects.aggregate(
        open=Count("id", filter=~Q(status=TreatmentAction.Status.DONE)),
        overdue=Count("id", filter=~Q(status=TreatmentAction.Status.DONE) & Q(due_date__lt=today)),
        done=Count("id", filter=Q(status=TreatmentAction.Status.DONE)),
    )
    rows += [
        [_("Treatment actions open"), actions["open"]],
        [_("Treatment actions overdue"), actions["overdue"]],
        [_("Treatment actions done"), actions["done"]],
    ]
    return {"rows": rows, "items": items, "note": note}
