"""Who may see, change and share a risk.

Three layers: the role (model permission on every risk), the record (its owner, with a guardian
object permission, or the owner of one of its open treatment actions), and user-managed shares.

Access through a treatment action is computed from the open actions, never stored: it ends by itself
when the action is done or handed to someone else, and nobody has to remember to take it back.
"""

from django.db.models import Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from accounts.models import User
from accounts.roles import Role
from core.policies import BasePolicy, Person
from sharing.selectors import shared_object_ids

from .models import Risk, RiskAnalysis, TreatmentAction


class RiskPolicy(BasePolicy):
    def visible(self, user: Person, risks: QuerySet[Risk]) -> QuerySet[Risk]:
        if not self.active(user):
            return risks.none()  # guardian cannot answer for anonymous users
        if self.allows(user, "risks.view_risk"):
            return risks
        by_object = get_objects_for_user(user, "risks.view_risk", klass=Risk, accept_global_perms=False)
        open_actions = TreatmentAction.objects.filter(owner=user.pk).exclude(status=TreatmentAction.Status.DONE)
        return risks.filter(
            Q(owner=user)
            | Q(pk__in=by_object.values("pk"))
            | Q(pk__in=open_actions.values("risk_id"))
            | Q(pk__in=shared_object_ids(user, Risk))
        )

    def can_view(self, user: Person, risk: Risk) -> bool:
        return self.visible(user, Risk.objects.filter(pk=risk.pk)).exists()

    def can_create(self, user: Person) -> bool:
        return self.allows(user, "risks.add_risk")

    def can_change(self, user: Person, risk: Risk) -> bool:
        if not self.active(user):
            return False
        if (
            self.allows(user, "risks.change_risk")
            or risk.owner_id == user.pk
            or self.allows(user, "risks.change_risk", risk)
        ):
            return True
        return Risk.objects.filter(pk=risk.pk, pk__in=shared_object_ids(user, Risk, change=True)).exists()

    def can_change_owner(self, user: Person, risk: Risk) -> bool:
        """Handing a risk to someone else: its owner, or a role that changes every risk. Never a share
        holder, who could otherwise make themselves owner and keep the risk after the share ends."""
        return self.is_user(user, risk.owner_id) or self.allows(user, "risks.change_risk")

    def can_share(self, user: Person, risk: Risk) -> bool:
        """The owner decides who else sees their record; so do those who manage every risk."""
        return self.is_user(user, risk.owner_id) or self.allows(user, "risks.change_risk")

    def can_accept(self, user: Person, risk: Risk) -> bool:
        """Residual risk is accepted by Management or the CISO (risks.accept_risk), never by its owner alone."""
        return self.allows(user, "risks.accept_risk")

    def can_edit_matrix(self, user: Person) -> bool:
        return self.allows(user, "risks.change_riskmatrix")

    def can_set_action_status(self, user: Person, action: TreatmentAction) -> bool:
        """Move a treatment action along: its owner, or whoever may change the risk."""
        return self.is_user(user, action.owner_id) or self.can_change(user, action.risk)

    def owner_of(self, risk: Risk) -> User:
        return risk.owner


risk_policy = RiskPolicy()


class RiskAnalysisPolicy(BasePolicy):
    def can_view(self, user: Person) -> bool:
        return self.allows(user, "risks.view_riskanalysis")

    def can_run(self, user: Person) -> bool:
        """Plan, start and review: the CISO and the security team."""
        return self.allows(user, "risks.change_riskanalysis")

    def can_start(self, user: Person, analysis: RiskAnalysis) -> bool:
        return self.can_run(user) and analysis.status == RiskAnalysis.Status.PLANNED

    def can_review(self, user: Person, analysis: RiskAnalysis) -> bool:
        """Record the review of a risk in scope: while the analysis is in progress."""
        return self.can_run(user) and analysis.status == RiskAnalysis.Status.IN_PROGRESS

    def signs_as(self, user: Person, analysis: RiskAnalysis) -> RiskAnalysis.Signature | None:
        """The signature ``user`` may still give on ``analysis`` ("CISO" or "Management"), or None.
        Only while in progress; each of the two signatures once."""
        if analysis.status != RiskAnalysis.Status.IN_PROGRESS:
            return None
        if self.has_role(user, Role.CISO) and analysis.ciso_signed_by_id is None:
            return RiskAnalysis.Signature.CISO
        if self.has_role(user, Role.MANAGEMENT) and analysis.management_signed_by_id is None:
            return RiskAnalysis.Signature.MANAGEMENT
        return None

    def can_sign(self, user: Person, analysis: RiskAnalysis) -> bool:
        return self.signs_as(user, analysis) is not None


analysis_policy = RiskAnalysisPolicy()
