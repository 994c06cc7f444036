"""The demo CISO approves and publishes a new version of a policy; a staff member reads it and acknowledges
it; the auditor sees who acknowledged which version."""

import pyotp
import pytest
from django.db import connections
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.twofactor import totp_secret_base32
from policies import services
from policies.models import Policy
from tenants import demo

pytestmark = pytest.mark.browser

TITLE = "Clean desk policy"


@pytest.fixture
def clean_desk(portal, django_db_blocker) -> dict[str, str]:
    """A policy with version 1 in force and a version 2 draft by the security team (committed), and a known
    authenticator secret for the demo CISO."""
    with django_db_blocker.unblock(), schema_context("demo"):
        ciso = User.objects.get(email="ciso@demo.example")
        security = User.objects.get(email="security@demo.example")
        management = User.objects.get(email="management@demo.example")
        if not Policy.objects.filter(title=TITLE).exists():
            policy = services.policy_create(by=ciso, title=TITLE, owner=ciso)
            first = services.policy_version_create(policy=policy, by=security, body="# Clean desk\n\nLock your screen.")
            services.policy_version_approve(version=first, by=management)
            services.policy_version_publish(version=first, by=management)
            services.policy_version_create(
                policy=policy,
                by=security,
                body="# Clean desk\n\nLock your screen.\n\nNo customer data on paper.",
                change_summary="No customer data on paper.",
            )
        TOTPDevice.objects.filter(user=ciso).delete()
        secret = totp_secret_base32(TOTPDevice.objects.create(user=ciso, name="E2E phone", confirmed=True))
        pk = str(Policy.objects.get(title=TITLE).pk)
    connections.close_all()
    return {"secret": secret, "pk": pk}


def _log_in(page: Page, portal: str, email: str, secret: str | None = None) -> None:
    page.goto(f"http://demo.{portal}/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if secret:
        expect(page.get_by_role("heading", name="Two-factor check")).to_be_visible()
        page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Verify").click()


def test_ciso_publishes_version_2_and_staff_acknowledges_it(page: Page, portal: str, clean_desk: dict[str, str]):
    _log_in(page, portal, "ciso@demo.example", clean_desk["secret"])
    page.goto(f"http://demo.{portal}/policies/")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Open it").click()
    expect(page.get_by_text("+ No customer data on paper.")).to_be_visible()
    page.get_by_role("link", name="Approve").click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Version 2 approved.")).to_be_visible()
    page.get_by_role("link", name="Publish").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Version 2 published.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    _log_in(page, portal, "staff@demo.example")
    page.goto(f"http://demo.{portal}/policies/{clean_desk['pk']}/")
    expect(page.get_by_text("No customer data on paper.").first).to_be_visible()
    page.get_by_role("button", name="I have read and understood version 2").click()
    expect(page.get_by_text("You acknowledged version 2 on")).to_be_visible()
    page.get_by_role("link", name="Version 1").click()
    expect(page.get_by_text("This version is no longer in force.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # The auditor reads the record (the CISO's code of a minute ago would be refused as a replay).
    _log_in(page, portal, "auditor@demo.example")
    page.goto(f"http://demo.{portal}/policies/{clean_desk['pk']}/acknowledgements/?state=current")
    row = page.locator("tr", has_text="staff@demo.example")
    expect(row).to_contain_text("Version in force")
    expect(row).to_contain_text("Version 2")
