"""A new CISO joins through an invitation, chooses a password and sets up two-factor authentication."""

import re

import pyotp
import pytest
from django.db import connections
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from accounts import services
from accounts.models import User

pytestmark = pytest.mark.browser


@pytest.fixture
def invitation_path(portal, django_db_blocker) -> str:
    with django_db_blocker.unblock(), schema_context("demo"):
        admin = User.objects.get(email="admin@demo.example")
        User.objects.filter(email="new.ciso@demo.example").delete()
        _invitation, link = services.invitation_create(
            by=admin, email="new.ciso@demo.example", full_name="Nora Nyström", roles=["CISO"], host="demo.localhost"
        )
    connections.close_all()  # the ORM ran beside Playwright's event loop
    match = re.search(r"/invitations/[^/]+/$", link)
    assert match
    return match.group(0)


def test_new_ciso_accepts_invitation_and_enrols_totp(page: Page, portal: str, invitation_path: str):
    page.goto(f"http://demo.{portal}{invitation_path}")
    expect(page.get_by_role("heading", name="Join Demo Cloud AB")).to_be_visible()
    expect(page.get_by_text("You are invited as CISO")).to_be_visible()

    page.get_by_label("Full name").fill("Nora Nyström")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password again").fill("short")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("This password is too short")).to_be_visible()

    page.get_by_label("Password", exact=True).fill("lantern-orbit-meadow-42")
    page.get_by_label("Password again").fill("lantern-orbit-meadow-42")
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)  # nothing else is reachable yet
    page.goto(f"http://demo.{portal}/people/")
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()

    secret = page.locator("code.secret").inner_text()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    expect(page.locator("ul.codes li")).to_have_count(10)
    page.get_by_role("link", name="I have stored them").click()

    expect(page.get_by_role("heading", name="People")).to_be_visible()  # back where she was heading
    page.goto(f"http://demo.{portal}/")
    expect(page.get_by_role("heading", name="Welcome, Nora")).to_be_visible()

    page.goto(f"http://demo.{portal}{invitation_path}")
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
