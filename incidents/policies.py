"""Who may report, see, handle and read incidents.

Anyone signed in may report. Operations, Security and the CISO handle every incident
(incidents.change_incident); Management and Auditors read every one (incidents.view_incident).
Everyone else sees the incidents they reported, are assigned to or own a corrective action of;
the assignee handles theirs. Checked on the fields themselves, so a reassignment needs no
permission bookkeeping.
"""

from django.db.models import Q, QuerySet

from core.policies import BasePolicy, Person

from .models import CorrectiveAction, Incident


class IncidentPolicy(BasePolicy):
    def visible(self, user: Person, incidents: QuerySet[Incident]) -> QuerySet[Incident]:
        if not self.active(user):
            return incidents.none()
        if user.has_perm("incidents.view_incident"):
            return incidents
        return incidents.filter(
            Q(reporter=user)
            | Q(assignee=user)
            | Q(pk__in=CorrectiveAction.objects.filter(owner=user.pk).values("incident_id"))
        )

    def sees_all(self, user: Person) -> bool:
        return self.allows(user, "incidents.view_incident")

    def can_view(self, user: Person, incident: Incident) -> bool:
        if not self.active(user):
            return False
        if user.has_perm("incidents.view_incident") or user.pk in (incident.reporter_id, incident.assignee_id):
            return True
        return incident.actions.filter(owner=user.pk).exists()

    def can_report(self, user: Person) -> bool:
        return self.active(user)

    def can_handle(self, user: Person, incident: Incident) -> bool:
        """Change the record, move it through the workflow, add actions and link risks."""
        if not self.active(user):
            return False
        return bool(user.has_perm("incidents.change_incident") or incident.assignee_id == user.pk)

    def can_contribute(self, user: Person, incident: Incident) -> bool:
        """Add a timeline note or an attachment: the handlers, and the reporter on their own report."""
        return self.can_handle(user, incident) or (self.active(user) and incident.reporter_id == user.pk)

    def can_edit(self, user: Person, incident: Incident) -> bool:
        """Handle an incident that is still open (a closed one is reopened first)."""
        return not incident.is_closed and self.can_handle(user, incident)

    def can_add_to(self, user: Person, incident: Incident) -> bool:
        """Contribute a note or an attachment to an incident that is still open."""
        return not incident.is_closed and self.can_contribute(user, incident)

    def can_reopen_any(self, user: Person) -> bool:
        """The roles that reopen closed incidents (whether this one is closed is the model's to check)."""
        return self.allows(user, "incidents.change_incident")

    def can_reopen(self, user: Person, incident: Incident) -> bool:
        """Reopen a closed incident: the roles that handle every incident."""
        return incident.is_closed and self.can_reopen_any(user)

    def can_set_action_status(self, user: Person, action: CorrectiveAction) -> bool:
        return self.active(user) and (action.owner_id == user.pk or self.can_handle(user, action.incident))

    def can_view_dashboard(self, user: Person) -> bool:
        return self.sees_all(user)

    def can_assign(self, user: Person) -> bool:
        return self.allows(user, "incidents.change_incident")


incident_policy = IncidentPolicy()
