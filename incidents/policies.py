"""Who may report, see, handle and read incidents.

Anyone signed in may report. Operations, Security and the CISO handle every incident
(incidents.change_incident); Management and Auditors read every one (incidents.view_incident).
Everyone else sees the incidents they reported, are assigned to or own a corrective action of;
the assignee handles theirs. Checked on the fields themselves, so a reassignment needs no
permission bookkeeping.
"""

from typing import Any

from django.db.models import Q, QuerySet

from .models import CorrectiveAction, Incident


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


class IncidentPolicy:
    def visible(self, user: Any, incidents: QuerySet[Incident]) -> QuerySet[Incident]:
        if not _active(user):
            return incidents.none()
        if user.has_perm("incidents.view_incident"):
            return incidents
        return incidents.filter(
            Q(reporter=user)
            | Q(assignee=user)
            | Q(pk__in=CorrectiveAction.objects.filter(owner=user).values("incident_id"))
        )

    def sees_all(self, user: Any) -> bool:
        return _active(user) and user.has_perm("incidents.view_incident")

    def can_view(self, user: Any, incident: Incident) -> bool:
        if not _active(user):
            return False
        if user.has_perm("incidents.view_incident") or user.pk in (incident.reporter_id, incident.assignee_id):
            return True
        return incident.actions.filter(owner=user).exists()

    def can_report(self, user: Any) -> bool:
        return _active(user)

    def can_handle(self, user: Any, incident: Incident) -> bool:
        """Change the record, move it through the workflow, add actions and link risks."""
        if not _active(user):
            return False
        return bool(user.has_perm("incidents.change_incident") or incident.assignee_id == user.pk)

    def can_contribute(self, user: Any, incident: Incident) -> bool:
        """Add a timeline note or an attachment: the handlers, and the reporter on their own report."""
        return self.can_handle(user, incident) or (_active(user) and incident.reporter_id == user.pk)

    def can_reopen(self, user: Any, incident: Incident) -> bool:
        return _active(user) and user.has_perm("incidents.change_incident")

    def can_set_action_status(self, user: Any, action: CorrectiveAction) -> bool:
        return _active(user) and (action.owner_id == user.pk or self.can_handle(user, action.incident))

    def can_view_dashboard(self, user: Any) -> bool:
        return self.sees_all(user)

    def can_assign(self, user: Any) -> bool:
        return _active(user) and user.has_perm("incidents.change_incident")


incident_policy = IncidentPolicy()
