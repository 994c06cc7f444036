"""The policies app as training uses it: who must read a policy, its current version, recording an acknowledgement.

One place that knows the policies app's contract, so the training services do not.
"""

from django.db.models import QuerySet

from accounts.models import User
from policies import selectors as policy_selectors
from policies.models import Acknowledgement, Policy, PolicyVersion
from policies.services import policy_acknowledge


def audience_users(policy: Policy) -> QuerySet[User]:
    return policy_selectors.audience_users(policy)


def current_version(policy: Policy) -> PolicyVersion | None:
    return policy_selectors.current_version(policy)


def acknowledge(*, user: User, version: PolicyVersion) -> Acknowledgement:
    """``user`` has read and understood ``version``: the policies app's acknowledgement (kept once per version)."""
    existing = Acknowledgement.objects.filter(user=user, version=version).first()
    if existing is not None:
        return existing
    return policy_acknowledge(user=user, version=version)
