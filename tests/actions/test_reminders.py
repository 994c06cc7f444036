"""The shared action reminder: the owner of an open action due soon is told once per due date."""

import datetime as dt

from django.utils import timezone
from django_tenants.utils import schema_context

from actions.reminders import ACTION_DAYS, action_items_due
from notifications.models import Notification
from reviews import services as review_services
from reviews.models import ActionItem


def _due(today):
    return [
        notification
        for notification in action_items_due(
            actions=ActionItem.objects.all(),
            today=today,
            kind="review_action",
            title=lambda action: f"Due: {action.title}",
            link=lambda action: action.get_absolute_url(),
            due_key="test",
        )
        if notification
    ]


def test_only_open_actions_due_soon_of_active_owners_remind_once(acme):
    today = timezone.localdate()
    with schema_context("acme"):
        meeting = review_services.review_plan(
            by=acme.ciso, title="Review", date=today, chair=acme.management, attendees=[acme.ciso]
        )

        def action(title, owner, days, status="open"):
            return ActionItem.objects.create(
                meeting=meeting,
                title=title,
                owner=owner,
                due_date=today + dt.timedelta(days=days),
                status=status,
                created_by=acme.ciso,
            )

        action("soon", acme.operations, ACTION_DAYS)
        action("overdue", acme.security, -5, status="in_progress")
        action("later", acme.operations, ACTION_DAYS + 1)
        action("done", acme.operations, 0, status="done")
        action("dropped", acme.operations, 0, status="dropped")
        acme.staff.is_active = False
        acme.staff.save(update_fields=["is_active"])
        action("left", acme.staff, 0)

        sent = _due(today)
        assert sorted(n.title for n in sent) == ["Due: overdue", "Due: soon"]
        assert {n.user for n in sent} == {acme.operations, acme.security}
        assert _due(today) == []  # once per due date
        soon = ActionItem.objects.get(title="soon")
        soon.due_date = today + dt.timedelta(days=1)
        soon.save(update_fields=["due_date"])
        assert [n.title for n in _due(today)] == ["Due: soon"]  # a new due date reminds again
        assert Notification.objects.filter(due_key__startswith="test:").count() == 3
