"""Who reaches which incident page: every role, an incident reported by Staff, and another tenant."""

import pytest
from django_tenants.utils import schema_context

ROLES = ["admin", "ciso", "security", "operations", "management", "staff", "auditor", "external"]
EVERYONE = set(ROLES)
HANDLERS = {"ciso", "security", "operations"}
READERS_OF_ALL = HANDLERS | {"management", "auditor"}


def pages(incident) -> list[tuple[str, set[str]]]:
    return [
        ("/incidents/", EVERYONE),
        ("/incidents/?format=csv", EVERYONE),
        ("/incidents/?format=xlsx", EVERYONE),
        ("/incidents/report/", EVERYONE),
        ("/incidents/dashboard/", READERS_OF_ALL),
        (f"/incidents/{incident.pk}/", READERS_OF_ALL | {"staff"}),
        (f"/incidents/{incident.pk}/edit/", HANDLERS),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_incident_pages(acme, make_incident, role):
    incident = make_incident(by=acme.staff)
    client = acme.logged_in_client(getattr(acme, role))
    outcomes = {path: client.get(path).status_code for path, _allowed in pages(incident)}
    expected = {path: 200 if role in allowed else 404 for path, allowed in pages(incident)}
    assert outcomes == expected


@pytest.mark.parametrize("role", ROLES)
def test_the_list_shows_all_incidents_or_only_own_reports(acme, make_incident, role):
    make_incident(by=acme.staff, title="Staff saw a stranger in the server room")
    make_incident(by=acme.external, title="Consultant lost a USB stick")
    make_incident(by=acme.operations, title="Database failover did not trigger")
    page = acme.logged_in_client(getattr(acme, role)).get("/incidents/").content.decode()
    shown = {
        title
        for title in (
            "Staff saw a stranger in the server room",
            "Consultant lost a USB stick",
            "Database failover did not trigger",
        )
        if title in page
    }
    assert ('name="assignee"' in page) == (role in READERS_OF_ALL)  # the filter would name people out of reach
    if role in READERS_OF_ALL:
        assert len(shown) == 3
    elif role == "staff":
        assert shown == {"Staff saw a stranger in the server room"}
    elif role == "external":
        assert shown == {"Consultant lost a USB stick"}
    else:
        assert shown == set()


def test_the_assignee_sees_and_handles_their_incident(acme, make_incident):
    incident = make_incident(by=acme.external, status="triaged", assignee=acme.admin)
    client = acme.logged_in_client(acme.admin)
    assert client.get(f"/incidents/{incident.pk}/").status_code == 200
    response = client.post(f"/incidents/{incident.pk}/status/", {"to": "contained"})
    assert response.status_code == 302
    with schema_context("acme"):
        incident.refresh_from_db()
    assert incident.status == "contained"


@pytest.mark.parametrize("role", ["management", "auditor", "staff"])
def test_readers_and_reporters_cannot_move_the_workflow(acme, make_incident, role):
    incident = make_incident(by=acme.staff)
    client = acme.logged_in_client(getattr(acme, role))
    assert client.post(f"/incidents/{incident.pk}/status/", {"to": "triaged", "severity": "2"}).status_code == 404
    assert client.post(f"/incidents/{incident.pk}/edit/", {"title": "Changed"}).status_code == 404
    with schema_context("acme"):
        incident.refresh_from_db()
    assert (incident.status, incident.title) == ("reported", "Phishing e-mail with a fake login page")


@pytest.mark.parametrize("role", ROLES)
def test_another_tenants_incident_answers_404(acme, globex, make_incident, role):
    incident = make_incident(by=acme.staff)
    client = globex.logged_in_client(getattr(globex, role))
    assert client.get(f"/incidents/{incident.pk}/").status_code == 404
    assert client.get(f"/incidents/{incident.pk}/edit/").status_code == 404
    assert client.post(f"/incidents/{incident.pk}/status/", {"to": "triaged", "severity": "1"}).status_code == 404
    assert incident.title not in client.get("/incidents/").content.decode()


def test_anonymous_people_are_sent_to_login(acme, make_incident):
    incident = make_incident()
    client = acme.client()
    for path, _allowed in pages(incident):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/?next="), path
