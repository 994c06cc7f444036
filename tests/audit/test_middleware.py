"""Every authenticated request is logged as an access event; each response names its request id."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tenants.utils import schema_context

from accounts import services
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
    response = client.get("/profile/?sort=title", **BROWSER)
    assert response.status_code == 200

    event = access_event("acme", response["X-Request-ID"])
    assert event.action == "access"
    assert event.actor_id == acme.staff.pk
    assert event.actor_label == "staff@acme.example"
    assert (event.method, event.path, event.status) == ("GET", "/profile/?sort=title", 200)
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


def test_one_time_links_are_not_readable_in_the_audit_trail(acme):
    with schema_context("acme"):
        _invitation, link = services.invitation_create(
            by=acme.admin, email="boss@acme.example", roles=["Admin"], host="acme.localhost"
        )
    token = link.rstrip("/").rsplit("/", 1)[1]
    acme.logged_in_client(acme.admin).get(f"/invitations/{token}/")
    with schema_context("acme"):
        paths = list(AuditEvent.objects.filter(kind="access").values_list("path", flat=True))
    assert "/invitations/[redacted]/" in paths
    assert not [path for path in paths if token in path]


def test_ipv6_address_in_any_notation_keeps_the_chain_intact(acme):
    response = acme.logged_in_client(acme.staff).get("/", REMOTE_ADDR="2001:DB8::0001")
    with schema_context("acme"):
        assert AuditEvent.objects.get(request_id=response["X-Request-ID"]).ip == "2001:db8::1"
    call_command("audit_verify", "--tenant", "acme", stdout=io.StringIO())


def test_forwarded_address_that_is_no_address_is_logged_without_one(acme):
    client = acme.logged_in_client(acme.staff)
    behind_proxy = override_settings(
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), ISMS_TRUSTED_PROXIES=["127.0.0.1"]
    )
    with behind_proxy:
        response = client.get("/", HTTP_X_FORWARDED_FOR="unknown", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    with schema_context("acme"):
        assert AuditEvent.objects.get(request_id=response["X-Request-ID"]).ip is None


def test_request_with_a_long_method_name_is_logged_not_a_500(acme):
    response = acme.logged_in_client(acme.staff).generic("PROPPATCH", "/")
    assert response.status_code == 200
    with schema_context("acme"):
        assert AuditEvent.objects.get(request_id=response["X-Request-ID"]).method == "PROPPATC"
