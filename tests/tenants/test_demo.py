"""The demo tenant of `make run`: one person per role, a few risks, and a second run changes nothing."""

from django.contrib.auth.models import Group
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.roles import Role
from risks.models import Risk
from sharing.models import ShareGrant
from tenants import demo
from tenants.models import Tenant


def _counts() -> tuple[int, int, int, int, int]:
    with schema_context("demo"):
        return (
            Tenant.objects.filter(slug="demo").count(),
            User.objects.count(),
            Risk.objects.count(),
            ShareGrant.objects.count(),
            Group.objects.count(),
        )


def test_demo_tenant_has_a_person_per_role_and_a_second_run_adds_nothing(db, worlds):
    demo.demo_tenant_ensure()
    first = _counts()
    demo.demo_tenant_ensure()
    assert _counts() == first == (1, 7, 6, 1, len(Role))
    with schema_context("demo"):
        for person in demo.DEMO_PEOPLE:
            user = User.objects.get(email=person.email)
            assert user.role_names == [person.role.value]
            assert user.check_password(demo.DEMO_PASSWORD)


def test_the_feature_apps_register_their_demo_data_in_the_order_it_builds_on():
    # training's demo assigns the policies' demo versions; incidents link the demo risks.
    assert demo.DEMO_DATA.keys() == ["risks", "incidents", "reviews", "policies", "training"]
