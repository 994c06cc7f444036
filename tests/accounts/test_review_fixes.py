"""Regressions for holes found in review: sessions after a password change, lockout behind the
proxy, one-time links in the audit trail, formulas in the people export."""

import csv
import io

from django.test import override_settings
from django_tenants.utils import schema_context

from accounts import services
from audit.models import AuditEvent
from tests.conftest import PASSWORD


def test_session_kept_through_a_password_change_still_ends_at_deactivation(acme):
    with schema_context("acme"):
        person = services.user_create(email="mover@acme.example", roles=["Staff"], password=PASSWORD)
    browser = acme.client()
    assert browser.post("/login/", {"username": person.email, "password": PASSWORD}).status_code == 302
    changed = browser.post(
        "/profile/password/",
        {"old_password": PASSWORD, "new_password1": "a-brand-new-pass-77", "new_password2": "a-brand-new-pass-77"},
    )
    assert changed.status_code == 302
    admin = acme.logged_in_client(acme.admin)
    admin.post(f"/people/{person.pk}/status/", {"action": "deactivate"})
    admin.post(f"/people/{person.pk}/status/", {"action": "reactivate"})
    response = browser.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), ISMS_TRUSTED_PROXIES=["172.18.0.5"])
def test_lockout_behind_the_proxy_counts_the_client_not_the_proxy(acme):
    proxy = {"REMOTE_ADDR": "172.18.0.5", "HTTP_X_FORWARDED_PROTO": "https"}
    attacker = acme.client()
    for _ in range(5):
        attacker.post(
            "/login/", {"username": acme.staff.email, "password": "wrong"}, HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy
        )
    locked = attacker.post(
        "/login/", {"username": acme.staff.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy
    )
    assert locked.status_code == 429
    owner = acme.client().post(
        "/login/", {"username": acme.staff.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy
    )
    assert owner.status_code == 302


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


def test_people_export_cannot_carry_a_spreadsheet_formula(acme):
    with schema_context("acme"):
        services.user_create(email="eve@acme.example", full_name='=HYPERLINK("http://evil.example","x")')
    response = acme.logged_in_client(acme.admin).get("/people/?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@")]
