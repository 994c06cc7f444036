"""What every policies page shares: area, page size, and the policy or version a request may reach (else 404)."""

from django.http import Http404

from core.http import AuthenticatedHttpRequest

from .. import selectors
from ..models import Policy, PolicyVersion

PAGE_SIZE = 50
AREA = "training"
_PENDING = (PolicyVersion.Status.DRAFT, PolicyVersion.Status.APPROVED)


def _reachable(request: AuthenticatedHttpRequest, pk: int) -> Policy:
    policy = selectors.policy_for(request.user, pk)
    if policy is None:
        raise Http404
    request.audit_object = policy
    return policy


def _version(request: AuthenticatedHttpRequest, pk: int, number: int) -> PolicyVersion:
    policy = _reachable(request, pk)
    version = selectors.version_for(request.user, policy, number)
    if version is None:
        raise Http404
    return version
