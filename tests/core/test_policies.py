"""The base policy every app's policy builds on: signed in and active, roles, permissions."""

from django.contrib.auth.models import AnonymousUser
from django_tenants.utils import schema_context

from accounts.roles import Role
from core.policies import BasePolicy

policy = BasePolicy()


def test_an_anonymous_visitor_is_not_active_has_no_role_and_no_permission():
    visitor = AnonymousUser()
    assert not policy.active(visitor)
    assert not policy.has_role(visitor, *Role)
    assert not policy.allows(visitor, "risks.view_risk")
    assert not policy.is_user(visitor, None)


def test_a_role_member_has_the_role_and_its_permissions_and_no_other(acme):
    with schema_context("acme"):
        assert policy.has_role(acme.ciso, Role.CISO)
        assert policy.has_role(acme.ciso, Role.MANAGEMENT, Role.CISO)
        assert not policy.has_role(acme.ciso, Role.MANAGEMENT)
        assert policy.allows(acme.ciso, "risks.change_risk")
        assert not policy.allows(acme.staff, "risks.change_risk")
        assert policy.is_user(acme.staff, acme.staff.pk) and not policy.is_user(acme.staff, acme.ciso.pk)


def test_a_deactivated_person_keeps_neither_role_nor_permission(acme):
    with schema_context("acme"):
        person = acme.ciso
        person.is_active = False
        assert not policy.active(person)
        assert not policy.has_role(person, Role.CISO)
        assert not policy.allows(person, "risks.change_risk")
        assert not policy.is_user(person, person.pk)
