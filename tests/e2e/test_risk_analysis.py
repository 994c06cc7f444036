"""The demo CISO runs "2026 H2": starts it, reviews two risks, signs off with a Management member, reads the report."""

import pyotp
import pytest
from django.db import connections
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.twofactor import totp_secret_base32
from risks.models import RiskAnalysis
from tenants import demo

pytestmark = pytest.mark.browser


@pytest.fixture
def authenticators(portal, django_db_blocker) -> dict[str, str]:
    """Known authenticator secrets for the demo CISO and Management member (committed)."""
    secrets = {}
    with django_db_blocker.unblock(), schema_context("demo"):
        RiskAnalysis.objects.filter(name="2026 H2").delete()
        for email in ("ciso@demo.example", "management@demo.example"):
            user = User.objects.get(email=email)
            TOTPDevice.objects.filter(user=user).delete()
            device = TOTPDevice.objects.create(user=user, name="E2E phone", confirmed=True)
            secrets[email] = totp_secret_base32(device)
    connections.close_all()
    return secrets


def _log_in(page: Page, portal: str, email: str, secret: str) -> None:
    page.goto(f"http://demo.{portal}/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Two-factor check")).to_be_visible()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verify").click()


def test_ciso_and_management_sign_off_2026_h2(page: Page, portal: str, authenticators: dict[str, str]):
    _log_in(page, portal, "ciso@demo.example", authenticators["ciso@demo.example"])
    page.goto(f"http://demo.{portal}/risks/")
    page.get_by_role("link", name="Analyses").click()
    page.get_by_role("link", name="Plan an analysis").click()
    page.get_by_label("Name").fill("2026 H2")
    page.get_by_label("Period start").fill("2026-07-01")
    page.get_by_label("Period end").fill("2026-12-31")
    page.get_by_label("Sign-off deadline").fill("2026-12-15")
    page.get_by_role("button", name="Plan").click()
    expect(page.get_by_role("heading", name="Risk analysis 2026 H2")).to_be_visible()
    page.get_by_role("button", name="Start the analysis").click()

    page.get_by_role("button", name="Confirm R-001").click()
    expect(page.get_by_text("1 of 6 risks reviewed")).to_be_visible()
    page.locator('tr:has-text("R-002") select[name=likelihood]').select_option("3")
    page.get_by_role("button", name="Confirm R-002").click()
    expect(page.get_by_text("2 of 6 risks reviewed")).to_be_visible()

    page.get_by_label("Decisions (optional)").fill("Roll out phishing-resistant MFA to all admins.")
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("waits for the other signature")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    _log_in(page, portal, "management@demo.example", authenticators["management@demo.example"])
    page.goto(f"http://demo.{portal}/risks/analyses/")
    page.get_by_role("link", name="2026 H2").click()
    page.get_by_role("button", name="Sign off").click()

    expect(page.get_by_role("heading", name="Risk analysis 2026 H2 — report")).to_be_visible()
    expect(page.get_by_text("2 of 6 risks in scope were reviewed.")).to_be_visible()
    expect(page.get_by_role("img", name="Inherent risk heat map")).to_be_visible()
    expect(page.get_by_text("Roll out phishing-resistant MFA to all admins.")).to_be_visible()
