"""The shared action writes, through the apps that call them: validation, closing time, audit, hand-over."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from actions.services import action_item_status_set, action_items_hand_over
from audit.models import AuditEvent
from reviews import services as review_services
from reviews.models import ActionItem
from risks import services as risk_services
from risks.models import TreatmentAction


def test_an_unknown_status_is_refused_and_changes_nothing(acme, make_risk):
    risk = make_risk(owner=acme.ciso)
    with schema_context("acme"):
        action = risk_services.action_add(
            risk=risk, by=acme.ciso, title="Patch", owner=acme.security, due_date=timezone.localdate()
        )
        events = AuditEvent.objects.count()
        with pytest.raises(ValidationError):
            risk_services.action_status_set(action=action, by=acme.ciso, status="dropped")  # reviews only
        action.refresh_from_db()
        assert action.status == "planned" and action.completed_at is None
        assert AuditEvent.objects.count() == events


def test_adding_needs_a_title_and_an_active_owner(acme, make_risk):
    risk = make_risk(owner=acme.ciso)
    with schema_context("acme"):
        with pytest.raises(ValidationError):
            risk_services.action_add(
                risk=risk, by=acme.ciso, title="  ", owner=acme.security, due_date=timezone.localdate()
            )
        acme.staff.is_active = False
        acme.staff.save(update_fields=["is_active"])
        with pytest.raises(ValidationError):
            risk_services.action_add(
                risk=risk, by=acme.ciso, title="Rotate keys", owner=acme.staff, due_date=timezone.localdate()
            )
        assert not TreatmentAction.objects.exists()


def test_done_is_stamped_and_audited_on_the_record_the_action_serves(acme, make_risk):
    risk = make_risk(owner=acme.ciso)
    with schema_context("acme"):
        action = TreatmentAction.objects.create(
            risk=risk, title="Patch", owner=acme.security, due_date=timezone.localdate()
        )
        action_item_status_set(action=action, parent="risk", by=acme.ciso, status="done", audit_action="x.done")
        action.refresh_from_db()
        assert action.status == "done" and action.completed_at is not None
        event = AuditEvent.objects.get(action="x.done")
        assert event.object_id == str(risk.pk) and event.changes == {"Patch": ["planned", "done"]}
        action_item_status_set(action=action, parent="risk", by=acme.ciso, status="in_progress", audit_action="x.on")
        action.refresh_from_db()
        assert action.completed_at is None


def test_hand_over_moves_only_open_actions(acme):
    with schema_context("acme"):
        meeting = review_services.review_plan(
            by=acme.ciso,
            title="Management review",
            date=timezone.localdate(),
            chair=acme.management,
            attendees=[acme.ciso],
        )
        actions = [
            ActionItem.objects.create(
                meeting=meeting,
                title=status,
                owner=acme.operations,
                due_date=timezone.localdate(),
                status=status,
                created_by=acme.ciso,
            )
            for status in ("open", "in_progress", "done", "dropped")
        ]
        moved = action_items_hand_over(
            actions=ActionItem.objects.all(), user=acme.operations, to=acme.security, audit_action="x.handed"
        )
        assert moved == 2
        owners = {action.title: action.owner for action in ActionItem.objects.filter(pk__in=[a.pk for a in actions])}
        assert owners == {
            "open": acme.security,
            "in_progress": acme.security,
            "done": acme.operations,
            "dropped": acme.operations,
        }
        assert AuditEvent.objects.filter(action="x.handed").count() == 2
