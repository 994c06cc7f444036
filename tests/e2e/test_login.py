"""A person logs in through a real browser and reaches the dashboard."""

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tenants import demo

pytestmark = pytest.mark.browser


def test_demo_ciso_logs_in_and_sees_the_dashboard(page: Page, portal: str, tmp_path):
    page.goto(f"http://demo.{portal}/")
    expect(page).to_have_url(f"http://demo.{portal}/login/?next=/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    page.get_by_label("E-mail address").fill("ciso@demo.example")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # A CISO must use a second factor: first login sets up the authenticator.
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    secret = page.locator("code.secret").inner_text()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    page.get_by_role("link", name="I have stored them").click()

    expect(page).to_have_url(f"http://demo.{portal}/")
    expect(page.get_by_role("heading", name="Welcome, Cecilia")).to_be_visible()
    navigation = page.get_by_role("navigation", name="Main")
    for area in ("Risks", "Incidents", "Reviews", "Training", "Admin"):
        expect(navigation.get_by_role("link", name=area)).to_be_visible()
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)


def test_wrong_password_shows_a_clear_error(page: Page, portal: str):
    page.goto(f"http://demo.{portal}/login/")
    page.get_by_label("E-mail address").fill("ciso@demo.example")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct e-mail address and password")


def test_switching_to_swedish_translates_the_page(page: Page, portal: str):
    page.goto(f"http://demo.{portal}/login/")
    page.get_by_label("Language").select_option("sv")
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()


def test_pages_load_without_csp_violations(page: Page, portal: str):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(f"http://demo.{portal}/login/")
    page.goto(f"http://{portal}/")
    assert violations == []
    assert page.evaluate("typeof window.htmx") == "object", "htmx from static/vendor should load"
