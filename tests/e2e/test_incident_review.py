"""A staff member reports an incident; operations triages and resolves it; management sees it on the
incident dashboard and on the agenda of the next management review."""

import uuid

import pyotp
import pytest
from django.db import connections
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.twofactor import totp_secret_base32
from incidents import dashboard
from incidents.models import Incident
from reviews.agenda import snapshot_take
from reviews.models import ReviewMeeting
from tenants import demo

pytestmark = pytest.mark.browser


@pytest.fixture
def management_secret(portal, django_db_blocker) -> str:
    """A known authenticator secret for the demo Management member (committed)."""
    with django_db_blocker.unblock(), schema_context("demo"):
        user = User.objects.get(email="management@demo.example")
        TOTPDevice.objects.filter(user=user).delete()
        secret = totp_secret_base32(TOTPDevice.objects.create(user=user, name="E2E phone", confirmed=True))
    connections.close_all()
    return secret


def _log_in(page: Page, portal: str, email: str, secret: str = "") -> None:
    page.goto(f"http://demo.{portal}/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if secret:
        expect(page.get_by_role("heading", name="Two-factor check")).to_be_visible()
        page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def _db(django_db_blocker, read):
    with django_db_blocker.unblock(), schema_context("demo"):
        value = read()
    connections.close_all()
    return value


def test_reported_triaged_resolved_then_seen_by_management(
    page: Page, portal: str, management_secret: str, django_db_blocker
):
    title = f"Phishing mail with a fake invoice {uuid.uuid4().hex[:6]}"

    # A staff member reports what happened.
    _log_in(page, portal, "staff@demo.example")
    page.goto(f"http://demo.{portal}/incidents/report/")
    page.get_by_label("What happened?").fill(title)
    page.get_by_label("Details").fill("Clicked the link, entered nothing. The mail came from a look-alike domain.")
    page.get_by_label("What is affected?").fill("E-mail")
    page.get_by_role("button", name="Send report").click()
    reference = _db(django_db_blocker, lambda: Incident.objects.get(title=title).reference)
    expect(page.get_by_text(reference).first).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # Operations triages it (severity 3) and resolves it.
    _log_in(page, portal, "operations@demo.example")
    page.goto(f"http://demo.{portal}/incidents/")
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name="Next step")).to_be_visible()
    page.get_by_label("Severity", exact=True).select_option("3")
    page.get_by_role("button", name="Triage").click()
    page.get_by_role("button", name="Mark resolved").click()
    expect(page.get_by_role("button", name="Close")).to_be_visible()  # the next step after resolved
    assert _db(django_db_blocker, lambda: Incident.objects.get(title=title).status) == "resolved"
    page.get_by_role("button", name="Log out").click()

    # Management opens the incident dashboard: the incident counts among the reported and resolved ones.
    def expected():
        period = dashboard.default_period(timezone.localdate())
        incidents = Incident.objects.all()
        return (
            dashboard.headline(incidents, period, timezone.now())["reported"],
            dashboard.mean_time_to_resolve(incidents, period)["count"],
        )

    reported, resolved = _db(django_db_blocker, expected)
    assert reported >= 1 and resolved >= 1
    _log_in(page, portal, "management@demo.example", management_secret)
    page.goto(f"http://demo.{portal}/incidents/dashboard/")
    expect(page.get_by_role("heading", name="Incidents: management view")).to_be_visible()
    reported_card = page.locator(".card", has_text="Reported in the period")
    expect(reported_card.locator(".inc-figure")).to_have_text(str(reported))
    noun = "incident" if resolved == 1 else "incidents"
    expect(page.get_by_text(f"over {resolved} resolved {noun}")).to_be_visible()

    # …and the agenda of the planned management review, section (d), lists it with its status.
    def agenda():
        meeting = ReviewMeeting.objects.filter(status="planned").order_by("date").first()
        assert meeting is not None, "the demo has a planned review"
        figures = next(entry for entry in snapshot_take(meeting)["feeds"] if entry["key"] == "incidents")["figures"]
        return meeting.title, dict(figures["rows"])["Severity 3 – Medium"]

    planned, medium = _db(django_db_blocker, agenda)
    assert medium >= 1
    page.get_by_role("link", name="Reviews", exact=True).click()
    page.get_by_role("link", name=planned).click()
    expect(page.get_by_text("Live figures")).to_be_visible()
    performance = page.locator("#section-d")
    expect(performance.get_by_role("heading", name="Information security performance")).to_be_visible()
    expect(performance.get_by_role("link", name=f"{reference} {title} (Resolved)")).to_be_visible()
    incidents_rows = performance.locator(".agenda-feed", has_text="Incidents since the previous review")
    expect(incidents_rows.get_by_role("row", name="Severity 3 – Medium")).to_have_text(f"Severity 3 – Medium{medium}")
