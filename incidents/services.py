"""Writes on incidents: report, edit, move through the workflow, reopen, notes, corrective actions, breach record.

Each is atomic, checks the policy and leaves an audit event; workflow moves also leave a
StatusChange row, which the incident page shows (who, when, from, to).
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from accounts import ownership
from accounts.models import User
from actions.services import action_item_create, action_item_status_set, action_items_hand_over
from audit.services import changes_between
from core.unset import UNSET, Unset, given
from risks.models import Risk

from .models import CorrectiveAction, Incident, Status, StatusChange, TimelineEntry, Type
from .policies import incident_policy

TRACKED_FIELDS = (
    "title",
    "description",
    "type",
    "severity",
    "occurred_at",
    "detected_at",
    "affected",
    "root_cause",
    "lessons_learned",
)
BREACH_FIELDS = (
    "personal_data_breach",
    "authority_notified_at",
    "authority_not_notified_reason",
    "subjects_notified_at",
    "subjects_not_notified_reason",
)


def _snapshot(incident: Incident, names: tuple[str, ...] = TRACKED_FIELDS) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in names:
        value = getattr(incident, name)
        values[name] = value.isoformat() if isinstance(value, dt.datetime) else value
    if names is TRACKED_FIELDS:
        values["assignee"] = incident.assignee.email if incident.assignee else None
    return values


def _next_reference(year: int) -> str:
    """INC-<year>-NNNN from a per-year counter; one UPSERT, so concurrent reports never share a number."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO incidents_incidentsequence (year, last) VALUES (%s, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = incidents_incidentsequence.last + 1 RETURNING last",
            [year],
        )
        row = cursor.fetchone()
    assert row is not None  # noqa: S101 — type narrowing for mypy, not a runtime check
    return f"INC-{year}-{row[0]:04d}"


def affected_split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


@transaction.atomic
def incident_report(
    *,
    by: User,
    title: str,
    description: str,
    detected_at: dt.datetime | None = None,
    affected: str = "",
    type: str = Type.SECURITY,
    occurred_at: dt.datetime | None = None,
) -> Incident:
    """Anyone signed in reports an incident or event; it lands as "reported", without severity or assignee."""
    if not incident_policy.can_report(by):
        raise PermissionDenied
    title = title.strip()
    if not title:
        raise ValidationError(_("Say in a few words what happened."))
    if type not in Type.values:
        raise ValidationError(_("Unknown incident type."))
    now = timezone.now()
    detected_at = detected_at or now
    if detected_at > now + dt.timedelta(minutes=5):
        raise ValidationError(_("The time it was noticed cannot be in the future."))
    if occurred_at and occurred_at > detected_at:
        raise ValidationError(_("It cannot have happened after it was noticed."))
    incident = Incident(
        title=title,
        description=description.strip(),
        type=type,
        status=Status.REPORTED,
        reported_at=now,
        detected_at=detected_at,
        occurred_at=occurred_at,
        reporter=by,
        affected=affected_split(affected),
    )
    incident.reference = _next_reference(timezone.localtime(now).year)
    incident.full_clean(exclude=["reference", "risks"])
    incident.save()
    StatusChange.objects.create(incident=incident, from_status="", to_status=Status.REPORTED, by=by, at=now)
    filled = {name: value for name, value in _snapshot(incident).items() if value not in ("", None, [])}
    audit.record(actor=by, action="incident.reported", obj=incident, changes=changes_between({}, filled))
    return incident


@transaction.atomic
def incident_update(
    *,
    incident: Incident,
    by: User,
    title: str | Unset = UNSET,
    description: str | Unset = UNSET,
    type: str | Unset = UNSET,
    severity: int | Unset | None = UNSET,
    assignee: User | Unset | None = UNSET,
    occurred_at: dt.datetime | Unset | None = UNSET,
    detected_at: dt.datetime | Unset = UNSET,
    affected: list[str] | Unset = UNSET,
    root_cause: str | Unset = UNSET,
    lessons_learned: str | Unset = UNSET,
) -> Incident:
    """Change the record's fields (handlers only; never a closed incident); those not passed keep their value."""
    if not incident_policy.can_handle(by, incident):
        raise PermissionDenied
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    incident.ensure_editable()
    if assignee is not UNSET and assignee != incident.assignee and not incident_policy.can_assign(by):
        raise PermissionDenied
    if assignee is not UNSET and assignee is not None and not assignee.is_active:
        raise ValidationError(_("The assignee must be an active person."))
    fields = given(
        title=title,
        description=description,
        type=type,
        severity=severity,
        assignee=assignee,
        occurred_at=occurred_at,
        detected_at=detected_at,
        affected=affected,
        root_cause=root_cause,
        lessons_learned=lessons_learned,
    )
    before = _snapshot(incident)
    for name, value in fields.items():
        setattr(incident, name, value)
    if incident.occurred_at and incident.occurred_at > incident.detected_at:
        raise ValidationError(_("It cannot have happened after it was noticed."))
    incident.full_clean(exclude=["reference", "risks"])
    incident.save()
    changes = changes_between(before, _snapshot(incident))
    if changes:
        audit.record(actor=by, action="incident.updated", obj=incident, changes=changes)
    return incident


@transaction.atomic
def incident_transition(
    *,
    incident: Incident,
    by: User,
    to: str,
    note: str = "",
    severity: int | None = None,
    assignee: User | None = None,
) -> Incident:
    """One step of reported → triaged → contained → resolved → closed, as the workflow allows.

    Triage may set the severity (needed by then) and the assignee in the same step.
    """
    if not incident_policy.can_handle(by, incident):
        raise PermissionDenied
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    changes: dict[str, Any] = {}
    if severity is not None and severity != incident.severity:
        changes["severity"] = [incident.severity, severity]
        incident.severity = severity
    if assignee is not None and assignee != incident.assignee:
        if not incident_policy.can_assign(by):
            raise PermissionDenied
        if not assignee.is_active:
            raise ValidationError(_("The assignee must be an active person."))
        changes["assignee"] = [incident.assignee.email if incident.assignee else None, assignee.email]
        incident.assignee = assignee
    now = timezone.now()
    before = incident.transition(to, at=now)
    incident.full_clean(exclude=["reference", "risks"])
    incident.save()
    StatusChange.objects.create(incident=incident, from_status=before, to_status=to, by=by, at=now, note=note.strip())
    changes["status"] = [before, to]
    if note.strip():
        changes["note"] = [None, note.strip()]
    audit.record(actor=by, action=f"incident.{to}", obj=incident, changes=changes)
    return incident


@transaction.atomic
def incident_reopen(*, incident: Incident, by: User, reason: str) -> Incident:
    """The only way to change a closed incident: reopen it (back to "triaged"), with a reason."""
    if not incident_policy.can_reopen_any(by):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the incident is reopened."))
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    now = timezone.now()
    before = incident.reopen()
    incident.save()
    StatusChange.objects.create(
        incident=incident, from_status=before, to_status=incident.status, by=by, at=now, note=reason, reopened=True
    )
    audit.record(
        actor=by,
        action="incident.reopened",
        obj=incident,
        changes={"status": [before, incident.status], "reason": [None, reason]},
    )
    return incident


@transaction.atomic
def incident_breach_update(
    *,
    incident: Incident,
    by: User,
    personal_data_breach: bool | Unset = UNSET,
    authority_notified_at: dt.datetime | Unset | None = UNSET,
    authority_not_notified_reason: str | Unset = UNSET,
    subjects_notified_at: dt.datetime | Unset | None = UNSET,
    subjects_not_notified_reason: str | Unset = UNSET,
) -> Incident:
    """Flag (or unflag) a personal-data breach and record whether and when the authority and subjects were told;
    what is not passed keeps its value."""
    if not incident_policy.can_handle(by, incident):
        raise PermissionDenied
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    incident.ensure_editable()
    before = _snapshot(incident, BREACH_FIELDS)
    fields = given(
        personal_data_breach=personal_data_breach,
        authority_notified_at=authority_notified_at,
        authority_not_notified_reason=authority_not_notified_reason,
        subjects_notified_at=subjects_notified_at,
        subjects_not_notified_reason=subjects_not_notified_reason,
    )
    for name, value in fields.items():
        setattr(incident, name, value.strip() if isinstance(value, str) else value)
    errors = []
    now = timezone.now() + dt.timedelta(minutes=5)
    for when, reason, who in (
        ("authority_notified_at", "authority_not_notified_reason", _("the supervisory authority")),
        ("subjects_notified_at", "subjects_not_notified_reason", _("the data subjects")),
    ):
        if getattr(incident, when) and getattr(incident, reason):
            errors.append(_("Give either when %(who)s were notified or why not, not both.") % {"who": who})
        if getattr(incident, when) and getattr(incident, when) > now:
            errors.append(_("The time %(who)s were notified cannot be in the future.") % {"who": who})
    if errors:
        raise ValidationError(errors)
    incident.save()
    changes = changes_between(before, _snapshot(incident, BREACH_FIELDS))
    if changes:
        flagged = changes.get("personal_data_breach")
        action = "incident.breach_recorded"
        if flagged:
            action = "incident.breach_flagged" if flagged[1] else "incident.breach_unflagged"
        audit.record(actor=by, action=action, obj=incident, changes=changes)
    return incident


@transaction.atomic
def incident_risks_set(*, incident: Incident, by: User, risks: list[Risk]) -> Incident:
    if not incident_policy.can_handle(by, incident):
        raise PermissionDenied
    incident.ensure_editable()
    before = sorted(incident.risks.values_list("reference", flat=True))
    incident.risks.set(risks)
    after = sorted(risk.reference for risk in risks)
    if before != after:
        audit.record(actor=by, action="incident.risks_linked", obj=incident, changes={"risks": [before, after]})
    return incident


@transaction.atomic
def timeline_add(*, incident: Incident, by: User, text: str, at: dt.datetime | None = None) -> TimelineEntry:
    if not incident_policy.can_contribute(by, incident):
        raise PermissionDenied
    incident.ensure_editable()
    text = text.strip()
    if not text:
        raise ValidationError(_("Write the note."))
    at = at or timezone.now()
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError(_("A timeline entry cannot be in the future."))
    entry = TimelineEntry.objects.create(incident=incident, at=at, author=by, text=text)
    audit.record(actor=by, action="incident.note_added", obj=incident, changes={"note": [None, text[:500]]})
    return entry


@transaction.atomic
def action_add(*, incident: Incident, by: User, title: str, owner: User, due_date: dt.date) -> CorrectiveAction:
    if not incident_policy.can_handle(by, incident):
        raise PermissionDenied
    incident.ensure_editable()
    return action_item_create(
        model=CorrectiveAction,
        parent="incident",
        on=incident,
        by=by,
        title=title,
        owner=owner,
        due_date=due_date,
        audit_action="incident.action_added",
    )


@transaction.atomic
def action_status_set(*, action: CorrectiveAction, by: User, status: str) -> CorrectiveAction:
    """The owner or a handler moves a corrective action along; this stays possible after the incident closes,
    because corrective actions often outlive the incident (they are tracked until done)."""
    if not incident_policy.can_set_action_status(by, action):
        raise PermissionDenied
    return action_item_status_set(
        action=action, parent="incident", by=by, status=status, audit_action="incident.action_status_changed"
    )


def incidents_reassign(user: User, to: User) -> int:
    """Offboarding: hand the incidents ``user`` is assigned to (not yet closed) to ``to``."""
    incidents = Incident.objects.filter(assignee=user).exclude(status=Status.CLOSED)
    return ownership.hand_over(incidents, field="assignee", user=user, to=to, action="incident.assignee_changed")


def actions_reassign(user: User, to: User) -> int:
    """Offboarding: hand over open corrective actions."""
    return action_items_hand_over(
        actions=CorrectiveAction.objects.all(),
        user=user,
        to=to,
        audit_action="incident.action_owner_changed",
        parent="incident",
    )
