"""Fixtures of the reviews tests: reviews planned, held and approved through the services."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from reviews import services


@pytest.fixture
def plan_review(acme):
    """Plan a review in acme (by its CISO, chaired by Management); ``days`` from today (negative: past)."""

    def plan(title="Management review 2026", days=-1, **fields):
        with schema_context("acme"):
            return services.review_plan(
                by=fields.pop("by", acme.ciso),
                title=title,
                date=timezone.localdate() + dt.timedelta(days=days),
                chair=fields.pop("chair", acme.management),
                attendees=fields.pop("attendees", [acme.ciso, acme.management]),
            )

    return plan


@pytest.fixture
def held_review(acme, plan_review):
    """A review held with one open action item (owned by Operations) and one decision."""

    def held(title="Management review 2026 H1", days=-30, action_due_days=10):
        meeting = plan_review(title=title, days=days)
        with schema_context("acme"):
            meeting = services.review_hold(meeting=meeting, by=acme.ciso)
            services.decision_add(meeting=meeting, by=acme.ciso, kind="improvement", text="Weekly restore drills.")
            action = services.action_add(
                meeting=meeting,
                by=acme.ciso,
                title="Roll out FIDO2 keys",
                owner=acme.operations,
                due_date=timezone.localdate() + dt.timedelta(days=action_due_days),
            )
        return meeting, action

    return held
