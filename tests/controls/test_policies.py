"""Who reads and edits the SoA: roles decide; another tenant never reaches this tenant's controls."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django_tenants.utils import schema_context

from controls.models import Control
from controls.policies import control_policy

#            role          reads  edits
MATRIX = [
    ("ciso", True, True),
    ("security", True, True),
    ("management", True, False),
    ("auditor", True, False),
    ("staff", False, False),
    ("operations", False, False),
    ("external", False, False),
    ("admin", False, False),
]

EDIT = {"applicable": "True", "justification": "Cloud-only company.", "status": "planned", "owner": "", "risks": []}


@pytest.mark.parametrize("role, reads, edits", MATRIX)
def test_role_matrix(acme, control_in, role, reads, edits):
    control = control_in("5.23")
    client = acme.logged_in_client(getattr(acme, role))
    assert client.get("/controls/").status_code == (200 if reads else 404)
    assert client.get("/controls/export.xlsx").status_code == (200 if reads else 404)
    page = client.get(f"/controls/{control.pk}/")
    assert page.status_code == (200 if reads else 404)
    if reads:
        assert ('name="justification"' in page.content.decode()) is edits
    response = client.post(f"/controls/{control.pk}/", EDIT)
    assert response.status_code == (302 if edits else 404)
    assert (control_in("5.23").status == Control.Status.PLANNED) is edits


@pytest.mark.parametrize("role, reads, edits", MATRIX)
def test_policy_answers_match_the_roles(acme, control_in, role, reads, edits):
    person = getattr(acme, role)
    control = control_in()
    with schema_context("acme"):
        assert control_policy.can_view(person, control) is reads
        assert control_policy.can_change(person, control) is edits
        assert control_policy.visible(person, Control.objects.all()).count() == (93 if reads else 0)


def test_anonymous_and_deactivated_people_see_nothing(acme, control_in):
    with schema_context("acme"):
        assert control_policy.visible(AnonymousUser(), Control.objects.all()).count() == 0
        acme.ciso.is_active = False
        assert not control_policy.can_view(acme.ciso, control_in())
        assert not control_policy.can_change(acme.ciso, control_in())


def test_missing_control_answers_404(acme):
    assert acme.logged_in_client(acme.ciso).get("/controls/99999/").status_code == 404


def test_another_tenant_cannot_reach_or_change_this_tenants_controls(acme, globex, control_in):
    control = control_in("5.23")  # ids repeat across tenants: globex has its own row with this pk
    client = globex.logged_in_client(globex.ciso)
    assert client.post(f"/controls/{control.pk}/", EDIT).status_code == 302
    with schema_context("globex"):
        assert Control.objects.get(pk=control.pk).status == Control.Status.PLANNED
    assert control_in("5.23").status == Control.Status.NOT_STARTED
    # globex's session means nothing on acme's host.
    response = client.post(f"/controls/{control.pk}/", EDIT, HTTP_HOST=acme.host)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert control_in("5.23").status == Control.Status.NOT_STARTED
