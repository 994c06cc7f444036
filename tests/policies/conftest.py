import pytest
from django_tenants.utils import schema_context

from policies import services
from policies.models import Policy, PolicyVersion


@pytest.fixture
def make_policy(acme):
    """A policy in acme owned by its CISO, with versions written by Security and approved by the CISO.

    ``states`` lists the versions to create in order, e.g. ("retired", "published", "draft"):
    each "published"/"retired" one is published in turn (publishing the next retires the one before).
    """

    def make(title="IT security policy", states=("published",), audience=(), onboarding=False) -> Policy:
        with schema_context("acme"):
            policy = services.policy_create(
                by=acme.ciso, title=title, owner=acme.ciso, audience=audience, onboarding=onboarding
            )
            for number, state in enumerate(states, 1):
                version = services.policy_version_create(
                    policy=policy,
                    by=acme.security,
                    body=f"# {title}\n\nVersion {number} text.",
                    change_summary=f"Change {number}",
                )
                if state == "draft":
                    continue
                services.policy_version_approve(version=version, by=acme.ciso)
                if state == "approved":
                    continue
                services.policy_version_publish(version=version, by=acme.ciso)
            last_retired = states and states[-1] == "retired"
            if last_retired:
                services.policy_version_retire(
                    version=policy.versions.get(status=PolicyVersion.Status.PUBLISHED), by=acme.ciso
                )
            return Policy.objects.select_related("owner").get(pk=policy.pk)

    return make


def version(policy: Policy, number: int) -> PolicyVersion:
    with schema_context("acme"):
        return PolicyVersion.objects.select_related("policy", "approved_by", "created_by").get(
            policy=policy, number=number
        )
