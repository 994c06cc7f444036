"""The abstract action item: every action table judges "overdue" and stamps its closing time the same way."""

import datetime as dt

import pytest
from django.utils import timezone

from incidents.models import CorrectiveAction
from reviews.models import ActionItem
from risks.models import TreatmentAction

TODAY = dt.date(2026, 6, 15)


@pytest.mark.parametrize(
    "model, closed",
    [(TreatmentAction, ["done"]), (CorrectiveAction, ["done"]), (ActionItem, ["done", "dropped"])],
)
def test_an_open_action_is_overdue_after_its_due_date_and_a_closed_one_never(model, closed):
    open_statuses = [value for value in model.Status.values if value not in closed]
    for status in open_statuses:
        assert model(title="x", status=status, due_date=TODAY - dt.timedelta(days=1)).is_overdue(TODAY)
        assert not model(title="x", status=status, due_date=TODAY).is_overdue(TODAY)
    for status in closed:
        assert not model(title="x", status=status, due_date=TODAY - dt.timedelta(days=30)).is_overdue(TODAY)


def test_each_table_keeps_its_own_closing_column_and_first_state():
    assert TreatmentAction().status == "planned" and TreatmentAction.closed_field == "completed_at"
    assert CorrectiveAction().status == "open" and CorrectiveAction.closed_field == "completed_at"
    assert ActionItem().status == "open" and ActionItem.closed_field == "closed_at"


def test_closing_keeps_the_first_closing_time_and_reopening_clears_it():
    first = timezone.now() - dt.timedelta(days=2)
    action = ActionItem(title="x", status="done", due_date=TODAY, closed_at=first)
    action.status_set("dropped")
    assert action.closed_at == first
    action.status_set("in_progress")
    assert action.closed_at is None
    treatment = TreatmentAction(title="x", due_date=TODAY)
    treatment.closed_at_stamp("done", first)
    assert treatment.completed_at == first
