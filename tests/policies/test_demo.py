"""The policies of the demo tenant: the IT security policy's three versions, two more policies, a few
acknowledgements, and a second run changes nothing."""

from django_tenants.utils import schema_context

from accounts.models import User
from policies import selectors
from policies.models import Acknowledgement, Policy
from tenants import demo


def _state() -> dict[str, list[tuple[int, str]]]:
    with schema_context("demo"):
        return {
            policy.title: list(policy.versions.order_by("number").values_list("number", "status"))
            for policy in Policy.objects.all()
        }


def test_demo_policies_and_a_second_run_adds_nothing(db, worlds):
    demo.demo_tenant_ensure()
    first = _state()
    with schema_context("demo"):
        acknowledgements = Acknowledgement.objects.count()
    demo.demo_tenant_ensure()
    assert (
        _state()
        == first
        == {
            "Acceptable use policy": [(1, "published")],
            "IT security policy": [(1, "retired"), (2, "published"), (3, "draft")],
            "Personal data handling policy": [(1, "published"), (2, "approved")],
        }
    )
    with schema_context("demo"):
        assert Acknowledgement.objects.count() == acknowledgements > 0
        it_security = Policy.objects.get(title="IT security policy")
        assert it_security.onboarding and it_security.audience == []
        staff = User.objects.get(email="staff@demo.example")
        status = {row.policy.title: row for row in selectors.acknowledgement_status(staff)}
        assert status["IT security policy"].state == "older"  # acknowledged version 1; version 2 is new
        assert "Stockholm" not in it_security.versions.get(number=2).body  # English text, not the Swedish seed
        assert "VPN" in it_security.versions.get(number=2).body
