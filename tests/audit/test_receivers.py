"""Logins, failed logins and logouts through the login form become security events of the tenant."""

from django_tenants.utils import schema_context

from audit.models import AuditEvent
from tests.conftest import PASSWORD

BROWSER = {"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "Mozilla/5.0 (audit test)"}


def events_of(schema: str, action: str) -> list[AuditEvent]:
    with schema_context(schema):
        return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_login_through_the_form_is_a_security_event(acme):
    response = acme.client().post("/login/", {"username": "Staff@Acme.example", "password": PASSWORD}, **BROWSER)
    assert response.status_code == 302

    [event] = events_of("acme", "auth.login")
    assert event.kind == AuditEvent.Kind.SECURITY
    assert event.actor_id == acme.staff.pk
    assert event.actor_label == "staff@acme.example"
    assert (event.object_type, event.object_id) == ("accounts.user", str(acme.staff.pk))
    assert event.ip == "203.0.113.9"
    assert event.user_agent == "Mozilla/5.0 (audit test)"
    assert event.request_id == response["X-Request-ID"]


def test_failed_login_records_the_name_typed_but_not_the_password(acme):
    response = acme.client().post(
        "/login/", {"username": "ciso@acme.example", "password": "wrong-password-123"}, **BROWSER
    )
    assert response.status_code == 200

    [event] = events_of("acme", "auth.login_failed")
    assert event.kind == AuditEvent.Kind.SECURITY
    assert event.actor_id is None
    assert event.actor_label == "ciso@acme.example"
    assert event.object_label == "ciso@acme.example"
    assert event.ip == "203.0.113.9"
    assert event.request_id == response["X-Request-ID"]
    assert "wrong-password-123" not in str(vars(event))
    assert not events_of("acme", "auth.login")


def test_failed_login_for_an_unknown_address_is_recorded_too(acme):
    acme.client().post("/login/", {"username": "nobody@acme.example", "password": PASSWORD}, **BROWSER)
    [event] = events_of("acme", "auth.login_failed")
    assert event.actor_label == "nobody@acme.example"


def test_failed_login_is_recorded_in_the_tenant_where_it_happened(acme, globex):
    globex.client().post("/login/", {"username": "staff@acme.example", "password": PASSWORD}, **BROWSER)
    assert [event.actor_label for event in events_of("globex", "auth.login_failed")] == ["staff@acme.example"]
    assert events_of("acme", "auth.login_failed") == []


def test_logout_is_a_security_event(acme):
    client = acme.logged_in_client(acme.staff)
    response = client.post("/logout/", **BROWSER)
    assert response.status_code == 302

    [event] = events_of("acme", "auth.logout")
    assert event.kind == AuditEvent.Kind.SECURITY
    assert event.actor_id == acme.staff.pk
    assert event.ip == "203.0.113.9"
    assert event.request_id == response["X-Request-ID"]
