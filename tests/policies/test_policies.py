"""Who reaches which policies page: every role, a policy for everyone, one for Operations only, another tenant."""

import pytest
from django_tenants.utils import schema_context

from policies.models import Acknowledgement

from .conftest import version

ROLES = ["admin", "ciso", "security", "operations", "management", "staff", "auditor", "external"]
EVERYONE = set(ROLES)
DRAFT_READERS = {"ciso", "security", "management", "auditor"}
WRITERS = {"ciso", "security"}
APPROVERS = {"ciso", "management"}
ACK_READERS = {"ciso", "management", "auditor"}


@pytest.fixture
def world(acme, make_policy):
    return {
        "everyone": make_policy(title="IT security policy", states=("retired", "published", "draft")),
        "ops": make_policy(title="Change policy", states=("published",), audience=["Operations"]),
        "unpublished": make_policy(title="Cryptography policy", states=("approved",)),
    }


def pages(world) -> list[tuple[str, set[str]]]:
    everyone, ops, unpublished = world["everyone"].pk, world["ops"].pk, world["unpublished"].pk
    return [
        ("/policies/", EVERYONE),
        ("/policies/?format=csv", EVERYONE),
        ("/policies/new/", WRITERS),
        (f"/policies/{everyone}/", EVERYONE),
        (f"/policies/{everyone}/edit/", WRITERS),
        (f"/policies/{everyone}/versions/1/", EVERYONE),  # retired: still readable
        (f"/policies/{everyone}/versions/2/", EVERYONE),  # published
        (f"/policies/{everyone}/versions/3/", DRAFT_READERS),  # draft
        (f"/policies/{everyone}/versions/3/edit/", WRITERS),
        (f"/policies/{ops}/versions/new/", WRITERS),
        (f"/policies/{everyone}/versions/3/discard/", WRITERS),
        (f"/policies/{everyone}/versions/3/approve/", APPROVERS),
        (f"/policies/{everyone}/versions/2/retire/", APPROVERS),
        (f"/policies/{everyone}/versions/2/publish/", set()),  # already published: no such step
        (f"/policies/{everyone}/versions/2/approve/", set()),
        (f"/policies/{everyone}/versions/1/retire/", set()),
        (f"/policies/{everyone}/versions/3/publish/", set()),  # a draft is approved first
        (f"/policies/{everyone}/versions/3/unknown-step/", set()),
        (f"/policies/{everyone}/versions/9/", set()),
        (f"/policies/{everyone}/acknowledgements/", ACK_READERS),
        (f"/policies/{everyone}/acknowledgements/?format=csv", ACK_READERS),
        (f"/policies/{everyone}/acknowledgements/?format=xlsx", ACK_READERS),
        (f"/policies/{ops}/", DRAFT_READERS | {"operations"}),
        (f"/policies/{ops}/versions/1/", DRAFT_READERS | {"operations"}),
        (f"/policies/{unpublished}/", DRAFT_READERS),
        (f"/policies/{unpublished}/versions/1/", DRAFT_READERS),
        (f"/policies/{unpublished}/versions/1/publish/", APPROVERS),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(acme, world, role):
    client = acme.logged_in_client(getattr(acme, role))
    for url, allowed in pages(world):
        assert client.get(url).status_code == (200 if role in allowed else 404), (role, url)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_acknowledge(acme, world, role):
    client = acme.logged_in_client(getattr(acme, role))
    everyone, ops = world["everyone"], world["ops"]
    assert client.post(f"/policies/{everyone.pk}/versions/2/acknowledge/").status_code == 302
    response = client.post(f"/policies/{ops.pk}/versions/1/acknowledge/")
    assert response.status_code == (302 if role == "operations" else 404)
    # The retired and the draft version are not acknowledged by anyone.
    assert client.post(f"/policies/{everyone.pk}/versions/1/acknowledge/").status_code == 404
    assert client.post(f"/policies/{everyone.pk}/versions/3/acknowledge/").status_code == 404
    with schema_context("acme"):
        acknowledged = set(
            Acknowledgement.objects.filter(user=getattr(acme, role)).values_list("version__policy__title", flat=True)
        )
    assert acknowledged == ({"IT security policy", "Change policy"} if role == "operations" else {"IT security policy"})


def test_another_tenant_gets_404_everywhere(acme, globex, world):
    for person in (globex.ciso, globex.auditor, globex.staff):
        client = globex.logged_in_client(person)
        assert client.get("/policies/").status_code == 200
        for url, _allowed in pages(world):
            if url.startswith(("/policies/new/", "/policies/?")) or url == "/policies/":
                continue
            assert client.get(url).status_code == 404, (person, url)
        everyone = world["everyone"]
        assert client.post(f"/policies/{everyone.pk}/versions/2/acknowledge/").status_code == 404
        assert client.post(f"/policies/{everyone.pk}/versions/3/approve/").status_code == 404
    assert "IT security policy" not in globex.logged_in_client(globex.ciso).get("/policies/").content.decode()
    assert (
        "IT security policy" not in globex.logged_in_client(globex.ciso).get("/policies/?format=csv").content.decode()
    )
    assert version(world["everyone"], 3).status == "draft"


def test_anonymous_is_sent_to_login(acme, world):
    response = acme.client().get(f"/policies/{world['everyone'].pk}/")
    assert response.status_code == 302
    assert "/login" in response["Location"]
