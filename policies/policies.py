"""Who may see and change policy documents, their versions and the acknowledgement records.

Roles (model permissions in ``accounts/roles.py``):
- everyone reads the published version (and the earlier published, now retired, versions) of each
  policy whose audience they are in — Staff and External (consultants) included;
- CISO, Security, Management and Auditor read every policy and every version, drafts included
  (``policies.view_policyversion``);
- CISO and Security create and edit policy documents and write drafts (``policies.add_policy``,
  ``policies.change_policy``, ``policies.add_policyversion``, ``policies.change_policyversion``);
- CISO and Management approve, publish and retire versions (``policies.approve_policyversion``);
  the approver may not be anyone who wrote or edited the draft (segregation of duties, A.5.3);
- CISO, Management and Auditor read who acknowledged what (``policies.view_acknowledgement``).
"""

from django.db.models import Q, QuerySet

from core.policies import BasePolicy, Person

from .models import Policy, PolicyVersion


def in_audience(user: Person, policy: Policy) -> bool:
    """Whether ``policy`` is addressed to ``user`` (its roles, or everyone when it names none)."""
    if not BasePolicy.active(user):
        return False
    return not policy.audience or bool(set(policy.audience) & set(BasePolicy.roles_of(user)))


def audience_q(user: Person) -> Q:
    """Policies addressed to ``user``, as a filter."""
    return Q(audience=[]) | Q(audience__overlap=list(BasePolicy.roles_of(user)))


class PolicyPolicy(BasePolicy):
    def reads_everything(self, user: Person) -> bool:
        return self.allows(user, "policies.view_policyversion")

    def visible(self, user: Person, policies: QuerySet[Policy]) -> QuerySet[Policy]:
        """Every policy for the roles that read drafts; otherwise those in the audience with a published text."""
        if not self.active(user):
            return policies.none()
        if self.reads_everything(user):
            return policies
        published = PolicyVersion.objects.filter(
            status__in=[PolicyVersion.Status.PUBLISHED, PolicyVersion.Status.RETIRED], published_at__isnull=False
        )
        return policies.filter(audience_q(user), pk__in=published.values("policy"))

    def visible_versions(self, user: Person, versions: QuerySet[PolicyVersion]) -> QuerySet[PolicyVersion]:
        """Drafts and approved texts for the roles that read them; otherwise texts that were published."""
        if not self.active(user):
            return versions.none()
        if self.reads_everything(user):
            return versions
        return versions.filter(
            status__in=[PolicyVersion.Status.PUBLISHED, PolicyVersion.Status.RETIRED],
            published_at__isnull=False,
            policy__in=Policy.objects.filter(audience_q(user)),
        )

    def can_view_version(self, user: Person, version: PolicyVersion) -> bool:
        if self.reads_everything(user):
            return True
        return version.published_at is not None and in_audience(user, version.policy)

    def can_create(self, user: Person) -> bool:
        return self.allows(user, "policies.add_policy")

    def can_change(self, user: Person, policy: Policy) -> bool:
        return self.allows(user, "policies.change_policy")

    def can_write_draft(self, user: Person, policy: Policy) -> bool:
        return self.allows(user, "policies.add_policyversion")

    def can_edit_draft(self, user: Person, version: PolicyVersion) -> bool:
        return (
            version.status == PolicyVersion.Status.DRAFT
            and self.active(user)
            and user.has_perm("policies.change_policyversion")
        )

    def can_approve_any(self, user: Person) -> bool:
        return self.allows(user, "policies.approve_policyversion")

    def can_approve(self, user: Person, version: PolicyVersion) -> bool:
        """Approvers, for a draft nobody but others wrote or edited."""
        return (
            version.status == PolicyVersion.Status.DRAFT and self.can_approve_any(user) and not version.written_by(user)
        )

    def approver_wrote_it(self, user: Person, version: PolicyVersion) -> bool:
        """An approver who wrote or edited this draft: they are told why they may not approve it."""
        return version.status == PolicyVersion.Status.DRAFT and self.can_approve_any(user) and version.written_by(user)

    def can_publish(self, user: Person, version: PolicyVersion) -> bool:
        return version.status == PolicyVersion.Status.APPROVED and self.can_approve_any(user)

    def can_retire(self, user: Person, version: PolicyVersion) -> bool:
        """Withdraw the published version without a successor (publishing a successor retires it too)."""
        return version.status == PolicyVersion.Status.PUBLISHED and self.can_approve_any(user)

    def can_withdraw(self, user: Person, version: PolicyVersion) -> bool:
        """Withdraw an approved version before it is published (it is kept, retired, never in force)."""
        return version.status == PolicyVersion.Status.APPROVED and self.can_approve_any(user)

    def can_acknowledge(self, user: Person, version: PolicyVersion) -> bool:
        return version.status == PolicyVersion.Status.PUBLISHED and in_audience(user, version.policy)

    def can_view_acknowledgements(self, user: Person) -> bool:
        return self.allows(user, "policies.view_acknowledgement")


policy_policy = PolicyPolicy()
