"""Who may see, change and share a risk.

Three layers: the role (model permission on every risk), the record (its owner, with a guardian
object permission, or the owner of one of its open treatment actions), and user-managed shares.

Access through a treatment action is computed from the open actions, never stored: it ends by itself
when the action is done or handed to someone else, and nobody has to remember to take it back.
"""

from typing import Any

from django.db.models import Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from sharing.selectors import shared_object_ids

from .models import Risk, TreatmentAction


class RiskPolicy:
    def visible(self, user: Any, risks: QuerySet[Risk]) -> QuerySet[Risk]:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return risks.none()  # guardian cannot answer for anonymous users
        if user.has_perm("risks.view_risk"):
            return risks
        by_object = get_objects_for_user(user, "risks.view_risk", klass=Risk, accept_global_perms=False)
        open_actions = TreatmentAction.objects.filter(owner=user).exclude(status=TreatmentAction.Status.DONE)
        return risks.filter(
            Q(owner=user)
            | Q(pk__in=by_object.values("pk"))
            | Q(pk__in=open_actions.values("risk_id"))
            | Q(pk__in=shared_object_ids(user, Risk))
        )

    def can_view(self, user: Any, risk: Risk) -> bool:
        return self.visible(user, Risk.objects.filter(pk=risk.pk)).exists()

    def can_create(self, user: Any) -> bool:
        return bool(getattr(user, "is_authenticated", False) and user.has_perm("risks.add_risk"))

    def can_change(self, user: Any, risk: Risk) -> bool:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if user.has_perm("risks.change_risk") or risk.owner_id == user.pk or user.has_perm("risks.change_risk", risk):
            return True
        return Risk.objects.filter(pk=risk.pk, pk__in=shared_object_ids(user, Risk, change=True)).exists()

    def can_change_owner(self, user: Any, risk: Risk) -> bool:
        """Handing a risk to someone else: its owner, or a role that changes every risk. Never a share
        holder, who could otherwise make themselves owner and keep the risk after the share ends."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        return bool(risk.owner_id == user.pk or user.has_perm("risks.change_risk"))

    def can_share(self, user: Any, risk: Risk) -> bool:
        """The owner decides who else sees their record; so do those who manage every risk."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        return bool(risk.owner_id == user.pk or user.has_perm("risks.change_risk"))

    def can_accept(self, user: Any, risk: Risk) -> bool:
        """Residual risk is accepted by Management or the CISO (risks.accept_risk), never by its owner alone."""
        return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm("risks.accept_risk"))

    def can_edit_matrix(self, user: Any) -> bool:
        return bool(
            getattr(user, "is_authenticated", False) and user.is_active and user.has_perm("risks.change_riskmatrix")
        )

    def owner_of(self, risk: Risk) -> Any:
        return risk.owner


risk_policy = RiskPolicy()


class RiskAnalysisPolicy:
    def can_view(self, user: Any) -> bool:
        return bool(getattr(user, "is_authenticated", False) and user.has_perm("risks.view_riskanalysis"))

    def can_run(self, user: Any) -> bool:
        """Plan, start and review: the CISO and the security team."""
        return bool(getattr(user, "is_authenticated", False) and user.has_perm("risks.change_riskanalysis"))

    def can_sign(self, user: Any, analysis: Any) -> bool:
        from accounts.roles import Role

        roles = set(user.role_names) if getattr(user, "is_authenticated", False) else set()
        if analysis.status != "in_progress":
            return False
        return bool(
            (Role.CISO in roles and analysis.ciso_signed_by_id is None)
            or (Role.MANAGEMENT in roles and analysis.management_signed_by_id is None)
        )


analysis_policy = RiskAnalysisPolicy()
