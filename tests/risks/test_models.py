"""Scoring on the tenant's matrix: level bands at their edges, residual score and level."""

import pytest


@pytest.mark.parametrize(
    "likelihood, impact, level",
    [
        (1, 1, "low"),
        (2, 2, "low"),
        (1, 5, "medium"),
        (3, 3, "medium"),
        (2, 5, "high"),
        (4, 4, "high"),
        (3, 5, "high"),
        (4, 5, "critical"),
        (5, 5, "critical"),
    ],
)
def test_default_bands_including_edge_cells(acme, make_risk, likelihood, impact, level):
    risk = make_risk(likelihood=likelihood, impact=impact)
    assert (risk.score, risk.inherent_level) == (likelihood * impact, level)


def test_residual_score_and_level(acme, make_risk):
    risk = make_risk(likelihood=5, impact=5, residual_likelihood=2, residual_impact=2)
    assert (risk.residual_score, risk.residual_level) == (4, "low")
