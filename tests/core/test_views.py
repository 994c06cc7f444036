"""The shell as a person meets it: login, dashboard, areas, languages, time zone, security headers."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from core.models import TaskRun


def test_dashboard_requires_login(acme):
    response = acme.client().get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_login_page_names_the_tenant(acme):
    body = acme.client().get("/login/").content.decode()
    assert "Acme AB" in body
    assert 'type="email"' in body and 'autocomplete="email"' in body


def test_login_accepts_the_email_in_any_case(acme):
    response = acme.client().post(
        "/login/", {"username": "CISO@ACME.example", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302


def test_dashboard_shows_the_person_their_roles_and_the_areas(acme):
    body = acme.logged_in_client(acme.ciso).get("/").content.decode()
    assert "Welcome, CISO" in body
    assert '<span class="badge">CISO</span>' in body
    for area in ("Risks", "Incidents", "Reviews", "Training", "Admin"):
        assert f">{area}</a>" in body
    assert ">Security</a>" not in body


def test_person_without_role_is_told_to_ask_for_one(acme):
    from accounts.models import User

    with schema_context("acme"):
        nobody = User.objects.create_user("nobody@acme.example", "x-password-123")
    body = acme.logged_in_client(nobody).get("/").content.decode()
    assert "You have no role yet" in body


def test_an_areas_address_leads_to_its_own_page_and_unknown_areas_404(acme):
    client = acme.logged_in_client(acme.staff)
    assert client.get("/area/risks/")["Location"] == "/risks/"
    assert 'aria-current="page">Risks' in client.get("/area/risks/", follow=True).content.decode()
    assert client.get("/area/nonsense/").status_code == 404
    assert client.get("/area/security/").status_code == 404


def test_last_heartbeat_is_shown_in_the_tenant_time_zone(acme):
    with schema_context("acme"):
        run = TaskRun.objects.create(task="core.tasks.heartbeat", worker="celery@w1", status="succeeded")
        TaskRun.objects.filter(pk=run.pk).update(finished_at=dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC))
    body = acme.logged_in_client(acme.ciso).get("/").content.decode()
    assert "from celery@w1" in body
    assert "2026-07-01 12:00" in body  # 10:00 UTC is 12:00 in Stockholm in summer
    assert "Europe/Stockholm" in body


def test_swedish_is_one_click_away(acme):
    client = acme.logged_in_client(acme.ciso)
    response = client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert '<html lang="sv">' in body
    assert "Välkommen" in body
    assert ">Risker</a>" in body and ">Incidenter</a>" in body
    assert "Logga ut" in body


def test_logout_needs_post_and_ends_the_session(acme):
    client = acme.logged_in_client(acme.ciso)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("host", ["acme.localhost", "localhost"])
def test_security_headers_and_strict_csp(acme, host):
    response = acme.client().get("/login/", HTTP_HOST=host)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/", "/area/admin/", "/login/"])
def test_pages_have_no_inline_script_or_style(acme, path):
    body = acme.logged_in_client(acme.admin).get(path, follow=True).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), "inline <script>"
    assert "<style" not in body and " style=" not in body


def test_pages_load_htmx_from_our_own_static_files(acme):
    client = acme.client()
    body = client.get("/login/").content.decode()
    match = re.search(r'<script src="([^"]+htmx[^"]*)"', body)
    assert match
    src = match.group(1)
    assert src.startswith("/static/vendor/htmx/")
    assert client.get(src).status_code == 200


def test_healthz_answers_on_every_host(acme):
    for host in ("localhost", "acme.localhost"):
        response = acme.client().get("/healthz", HTTP_HOST=host)
        assert response.json() == {"status": "ok"}


def test_times_are_stored_in_utc(acme):
    with schema_context("acme"):
        run = TaskRun.objects.create(task="t", status="succeeded")
        assert run.finished_at.tzinfo is not None
        assert timezone.is_aware(run.finished_at)


def test_navigation_marks_only_the_current_area(acme):
    client = acme.logged_in_client(acme.ciso)
    assert 'aria-current="page">Dashboard' in client.get("/").content.decode()
    profile = client.get("/profile/").content.decode()
    assert 'aria-current="page">Dashboard' not in profile
