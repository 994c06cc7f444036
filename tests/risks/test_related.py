"""The risk pages ask the apps that build on risks (controls, objectives) who may see their links."""

from django_tenants.utils import schema_context

from controls.policies import control_policy
from objectives.policies import objective_policy
from risks import related


def test_controls_and_objectives_answer_for_their_own_links(acme):
    with schema_context("acme"):
        for person in (acme.admin, acme.ciso, acme.security, acme.staff, acme.auditor):
            assert related.allowed(related.CONTROLS_VIEW, person) == control_policy.can_view(person)
            assert related.allowed(related.OBJECTIVES_CREATE, person) == objective_policy.can_create(person)
        assert related.allowed(related.CONTROLS_VIEW, acme.ciso) is True
        assert related.allowed(related.OBJECTIVES_CREATE, acme.staff) is False


def test_a_link_no_app_registered_is_shown_to_nobody(acme):
    with schema_context("acme"):
        assert related.allowed("suppliers.view", acme.admin) is False
