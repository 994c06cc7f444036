"""Review action items: reminders to their owners before they are due, and hand-over when an owner leaves."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts import services as account_services
from audit.models import AuditEvent
from notifications.models import Notification
from notifications.services import reminders_run
from reviews import services


def test_owner_is_reminded_once_before_the_due_date(acme, held_review):
    _meeting, action = held_review(action_due_days=2)
    _later, far = held_review(title="Later review", days=-10, action_due_days=30)
    with schema_context("acme"):
        reminders_run(timezone.localdate())
        reminders_run(timezone.localdate())
        reminders = Notification.objects.filter(kind="review_action")
        assert list(reminders.values_list("user_id", "link")) == [
            (acme.operations.pk, f"/reviews/actions/{action.pk}/")
        ]
        services.action_update(action=far, by=acme.ciso, status="in_progress", due_date=timezone.localdate())
        reminders_run(timezone.localdate())
        assert reminders.count() == 2  # a moved due date reminds anew


def test_closed_actions_are_not_reminded(acme, held_review):
    _meeting, action = held_review(action_due_days=-1)
    with schema_context("acme"):
        services.action_update(action=action, by=acme.operations, status="done")
        reminders_run(timezone.localdate())
        assert not Notification.objects.filter(kind="review_action").exists()


def test_offboarding_hands_open_actions_to_the_successor(acme, held_review):
    _meeting, action = held_review()
    with schema_context("acme"):
        leaver = account_services.user_create(email="leaver@acme.example", roles=["Operations"])
        services.action_update(action=action, by=acme.ciso, status="open", owner=leaver, due_date=action.due_date)
        account_services.user_offboard(user=leaver, by=acme.admin, reassign_to=acme.security)
        action.refresh_from_db()
        assert action.owner == acme.security
        assert AuditEvent.objects.filter(action="review_action.owner_changed", object_id=str(action.pk)).exists()


def test_only_the_minute_takers_move_owner_or_due_date(acme, held_review):
    _meeting, action = held_review()
    with schema_context("acme"), pytest.raises(PermissionDenied):
        services.action_update(
            action=action, by=acme.operations, status="open", due_date=action.due_date + dt.timedelta(days=90)
        )
