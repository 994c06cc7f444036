"""Every authenticated request is logged as an access event; each response names its request id."""

import pytest
from django_tenants.utils import schema_context

from audit.models import AuditEvent

BROWSER = {"REMOTE_ADDR": "198.51.100.7", "HTTP_USER_AGENT": "Mozilla/5.0 (access test)"}


def events_of_request(schema: str, request_id: str) -> list[AuditEvent]:
    with schema_context(schema):
        return list(AuditEvent.objects.filter(request_id=request_id).order_by("id"))


def access_event(schema: str, request_id: str) -> AuditEvent:
    [event] = [event for event in events_of_request(schema, request_id) if event.kind == AuditEvent.Kind.ACCESS]
    return event


def test_page_view_is_logged_with_person_method_path_status_and_origin(acme):
    client = acme.logged_in_client(acme.staff)
    response = client.get("/area/risks/?sort=title", **BROWSER)
    assert response.status_code == 200

    event = access_event("acme", response["X-Request-ID"])
    assert event.action == "access"
    assert event.actor_id == acme.staff.pk
    assert event.actor_label == "staff@acme.example"
    assert (event.method, event.path, event.status) == ("GET", "/area/risks/?sort=title", 200)
    assert event.ip == "198.51.100.7"
    assert event.user_agent == "Mozilla/5.0 (access test)"


def test_missing_page_is_logged_with_its_404(acme):
    client = acme.logged_in_client(acme.staff)
    response = client.get("/area/no-such-area/", **BROWSER)
    assert response.status_code == 404
    event = access_event("acme", response["X-Request-ID"])
    assert (event.method, event.path, event.status) == ("GET", "/area/no-such-area/", 404)


def test_page_refused_to_the_role_is_logged_with_its_404(acme):
    client = acme.logged_in_client(acme.staff)
    response = client.get("/audit/", **BROWSER)
    assert response.status_code == 404
    assert access_event("acme", response["X-Request-ID"]).status == 404


def test_form_post_is_logged_with_its_method(acme):
    client = acme.logged_in_client(acme.admin)
    response = client.post("/people/invite/", {"email": "not-an-address"}, **BROWSER)
    assert response.status_code == 200
    event = access_event("acme", response["X-Request-ID"])
    assert (event.method, event.path, event.status) == ("POST", "/people/invite/", 200)


def test_every_request_gets_its_own_id(acme):
    client = acme.logged_in_client(acme.staff)
    first, second = client.get("/"), client.get("/")
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert access_event("acme", first["X-Request-ID"]).pk < access_event("acme", second["X-Request-ID"]).pk


def test_anonymous_requests_are_not_logged_but_have_a_request_id(acme):
    with schema_context("acme"):
        events_before = AuditEvent.objects.count()
    for path in ("/", "/login/", "/audit/", "/no-such-page/"):
        response = acme.client().get(path, **BROWSER)
        assert response["X-Request-ID"]
    with schema_context("acme"):
        assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("path", ["/healthz", "/static/css/no-such-file.css"])
def test_health_checks_and_static_files_are_not_logged(acme, path):
    client = acme.logged_in_client(acme.staff)
    response = client.get(path, **BROWSER)
    assert response["X-Request-ID"]
    assert events_of_request("acme", response["X-Request-ID"]) == []


def test_access_is_logged_in_the_tenant_that_was_visited(acme, globex):
    response = globex.logged_in_client(globex.staff).get("/", **BROWSER)
    assert access_event("globex", response["X-Request-ID"]).actor_label == "staff@globex.example"
    assert events_of_request("acme", response["X-Request-ID"]) == []
