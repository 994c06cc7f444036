"""Progress and status of objectives: the maths, the thresholds, the override, the database's own rules."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from accounts import ownership
from audit.models import AuditEvent
from objectives.models import KeyResult, Objective


@pytest.mark.parametrize(
    "baseline, target, current, expected",
    [
        ("0", "100", "50", "50"),
        ("0", "100", "0", "0"),
        ("0", "100", "100", "100"),
        ("0", "100", "150", "100"),  # beyond the target: clamped
        ("0", "100", "-10", "0"),  # worse than the baseline: clamped
        ("80", "95", "86", "40"),
        # Falling targets: reduce mean time to patch from 30 to 7 days.
        ("30", "7", "30", "0"),
        ("30", "7", "18.5", "50"),
        ("30", "7", "7", "100"),
        ("30", "7", "3", "100"),
        ("30", "7", "40", "0"),
        # Target equal to the baseline: a level to hold.
        ("0", "0", "0", "100"),
        ("5", "5", "4", "0"),
        ("5", "5", "6", "0"),
    ],
)
def test_key_result_progress(baseline, target, current, expected):
    result = KeyResult(baseline=Decimal(baseline), target=Decimal(target), current=Decimal(current))
    assert result.progress == Decimal(expected)


def test_progress_of_an_objective_is_the_mean_of_its_key_results(make_objective):
    objective = make_objective(results=[("0", "100", "100"), ("30", "7", "18.5"), ("0", "10", "-5")])
    with schema_context("acme"):
        assert objective.progress == Decimal(50)
        assert objective.status == Objective.Status.AT_RISK


def test_an_objective_without_key_results_is_at_zero_and_off_track(make_objective):
    objective = make_objective()
    with schema_context("acme"):
        assert objective.progress == 0
        assert objective.percent == 0
        assert objective.status == Objective.Status.OFF_TRACK


@pytest.mark.parametrize(
    "current, status",
    [
        ("100", Objective.Status.ON_TRACK),
        ("70", Objective.Status.ON_TRACK),
        ("69.99", Objective.Status.AT_RISK),
        ("40", Objective.Status.AT_RISK),
        ("39.99", Objective.Status.OFF_TRACK),
        ("0", Objective.Status.OFF_TRACK),
    ],
)
def test_status_thresholds(make_objective, current, status):
    objective = make_objective(results=[("0", "100", current)])
    with schema_context("acme"):
        assert objective.computed_status == objective.status == status


def test_percent_is_rounded_down_so_it_never_contradicts_the_status(make_objective):
    objective = make_objective(results=[("0", "100", "69.9")])
    with schema_context("acme"):
        assert objective.percent == 69
        assert objective.status == Objective.Status.AT_RISK


def test_a_status_set_by_hand_wins_until_cleared(make_objective):
    objective = make_objective(results=[("0", "100", "90")], status_override=Objective.Status.AT_RISK)
    with schema_context("acme"):
        assert objective.computed_status == Objective.Status.ON_TRACK
        assert objective.status == Objective.Status.AT_RISK
        assert objective.get_status_display() == "At risk"
        objective.status_override = ""
        assert objective.status == Objective.Status.ON_TRACK


def test_the_database_refuses_an_empty_title_or_an_unknown_status(make_objective):
    objective = make_objective()
    with schema_context("acme"):
        for changes in ({"title": ""}, {"status_override": "green"}):
            with pytest.raises(IntegrityError), transaction.atomic():
                Objective.objects.filter(pk=objective.pk).update(**changes)


def test_offboarding_hands_objectives_over_on_the_record(acme, make_objective):
    objective = make_objective(owner=acme.staff)
    assert any(item.model is Objective for item in ownership.OWNED_MODELS)
    with schema_context("acme"):
        assert ("security objectives", 1) in ownership.records_owned_by(acme.staff)
        ownership.records_reassign(acme.staff, acme.security)
        assert Objective.objects.get(pk=objective.pk).owner == acme.security
        event = AuditEvent.objects.get(action="objective.owner_changed", object_id=str(objective.pk))
    assert event.changes == {"owner": [acme.staff.email, acme.security.email]}
