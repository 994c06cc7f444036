"""Heat maps of the risk register: counts per likelihood × impact cell, drawn as SVG by the template."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from .models import Risk, RiskMatrix

CELL = 64
LEFT, TOP = 128, 12


@dataclass(frozen=True)
class Cell:
    likelihood: int
    impact: int
    count: int
    level: str
    x: int
    y: int
    selected: bool

    @property
    def text_x(self) -> int:
        return self.x + CELL // 2

    @property
    def text_y(self) -> int:
        return self.y + CELL // 2 + 6


def heatmap(
    risks: QuerySet[Risk], matrix: RiskMatrix, *, residual: bool, selected: tuple[int, int] | None
) -> dict[str, object]:
    """One aggregate query; likelihood grows upwards, impact to the right."""
    lik, imp = ("residual_likelihood", "residual_impact") if residual else ("likelihood", "impact")
    counts = {
        (row[lik], row[imp]): row["n"]
        for row in Risk.objects.filter(pk__in=risks.values("pk"))
        .exclude(**{f"{lik}__isnull": True})
        .values(lik, imp)
        .annotate(n=Count("id"))
    }
    return _drawing(counts, matrix.likelihood_labels, matrix.impact_labels, matrix.level_of, residual, selected)


def heatmap_of_snapshot(snapshot: dict[str, Any], *, residual: bool) -> dict[str, object]:
    """The same drawing from a frozen register (a signed-off analysis), with its own matrix."""
    lik, imp = ("residual_likelihood", "residual_impact") if residual else ("likelihood", "impact")
    counts = Counter((risk[lik], risk[imp]) for risk in snapshot.get("risks", []) if risk.get(lik) is not None)
    frozen = snapshot["matrix"]
    bands = frozen["bands"]

    def level_of(score: int | None) -> str:
        for level in ("low", "medium", "high", "critical"):
            if score is not None and score <= int(bands[level]):
                return level
        return "critical"

    return _drawing(dict(counts), frozen["likelihood_labels"], frozen["impact_labels"], level_of, residual, None)


def _drawing(
    counts: dict[tuple[int, int], int],
    likelihood_labels: list[str],
    impact_labels: list[str],
    level_of: Callable[[int | None], str],
    residual: bool,
    selected: tuple[int, int] | None,
) -> dict[str, object]:
    cells = [
        Cell(
            likelihood=likelihood,
            impact=impact,
            count=counts.get((likelihood, impact), 0),
            level=level_of(likelihood * impact),
            x=LEFT + (impact - 1) * CELL,
            y=TOP + (5 - likelihood) * CELL,
            selected=selected == (likelihood, impact),
        )
        for likelihood in range(5, 0, -1)
        for impact in range(1, 6)
    ]
    return {
        "kind": "residual" if residual else "inherent",
        "cells": cells,
        "likelihood_labels": [
            {"label": label, "y": TOP + (5 - n) * CELL + CELL // 2 + 4} for n, label in enumerate(likelihood_labels, 1)
        ],
        "impact_labels": [
            {"label": label, "x": LEFT + (n - 1) * CELL + CELL // 2} for n, label in enumerate(impact_labels, 1)
        ],
        "width": LEFT + 5 * CELL + 8,
        "height": TOP + 5 * CELL + 44,
        "axis_y": TOP + 5 * CELL + 18,
        "total": sum(counts.values()),
    }
