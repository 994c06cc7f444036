"""The writes every action table shares. An app's own service checks its policy, then calls one of these.

Each is keyword-only, atomic and audited with ``audit.record`` under the app's own action name. ``parent`` names
the foreign key to what the action is for (``"risk"``, ``"incident"``): the event is written on that record, so
the action shows in its history, and the change is keyed by the action's title.
"""

import datetime as dt
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from accounts import ownership
from accounts.models import User

from .models import ActionItem

A = TypeVar("A", bound=ActionItem)


@transaction.atomic
def action_item_create(
    *,
    model: type[A],
    parent: str,
    on: models.Model,
    by: User,
    title: str,
    owner: User,
    due_date: dt.date,
    audit_action: str,
) -> A:
    """A new open action on ``on`` (the record ``parent`` points to), owned by an active person."""
    if not title.strip():
        raise ValidationError(_("Describe the action."))
    if not owner.is_active:
        raise ValidationError(_("The owner must be an active person."))
    action = model._default_manager.create(**{parent: on}, title=title.strip(), owner=owner, due_date=due_date)
    audit.record(
        actor=by,
        action=audit_action,
        obj=on,
        changes={
            "action": [None, action.title],
            "owner": [None, owner.email],
            "due_date": [None, due_date.isoformat()],
        },
    )
    return action


@transaction.atomic
def action_item_status_set(*, action: A, parent: str, by: User, status: str, audit_action: str) -> A:
    """Move the action to ``status`` (one of its table's choices), stamping or clearing its closing time."""
    if status not in action.Status.values:
        raise ValidationError(_("Unknown status."))
    before = action.status
    if before != status:
        action.status = status
        action.closed_at_stamp(status, timezone.now())
        action.save(update_fields=["status", action.closed_field])
        audit.record(
            actor=by, action=audit_action, obj=getattr(action, parent), changes={action.title: [before, status]}
        )
    return action


def action_items_hand_over(
    *, actions: "models.QuerySet[A]", user: User, to: User, audit_action: str, parent: str | None = None
) -> int:
    """Offboarding: hand the open actions of ``actions`` that ``user`` owns to ``to``, each hand-over audited
    (on the ``parent`` record keyed by the action's title, or on the action itself without one)."""
    open_owned = actions.filter(owner=user).exclude(status__in=actions.model.CLOSED)
    if parent is None:
        return ownership.hand_over(open_owned, field="owner", user=user, to=to, action=audit_action)
    return ownership.hand_over(
        open_owned.select_related(parent),
        field="owner",
        user=user,
        to=to,
        action=audit_action,
        audited_on=lambda action: getattr(action, parent),
        change_key=lambda action: action.title,
    )
