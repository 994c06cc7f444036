"""Navigation areas and admin hub cards come from the apps' registrations; core names none of them."""

import pytest
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from core import navigation


@pytest.fixture
def privacy_area():
    """An area a new app would register in its AppConfig.ready, without any change to core."""
    navigation.AREAS.register(
        "privacy",
        navigation.Area("privacy", _("Privacy"), _("Records of processing and data-subject requests."), "dashboard"),
        order=50,
    )
    yield
    navigation.AREAS.unregister("privacy")


@pytest.fixture
def admins_only_card():
    navigation.ADMIN_CARDS.register(
        "api_tokens",
        navigation.AdminCard(
            _("API tokens"), _("Tokens for the REST API."), "people", lambda user: Role.ADMIN.value in user.role_names
        ),
        order=60,
    )
    yield
    navigation.ADMIN_CARDS.unregister("api_tokens")


def test_the_apps_areas_come_in_their_order_with_core_admin_last():
    assert navigation.AREAS.keys() == ["risks", "incidents", "reviews", "training", "admin"]


def test_an_area_registered_by_an_app_is_in_the_navigation_and_has_its_page(acme, privacy_area):
    client = acme.logged_in_client(acme.staff)
    body = client.get("/").content.decode()
    assert ">Privacy</a>" in body
    assert body.index(">Reviews</a>") < body.index(">Privacy</a>") < body.index(">Admin</a>")
    assert client.get("/area/privacy/")["Location"] == "/"


def test_an_area_nobody_registered_is_not_found(acme):
    assert acme.logged_in_client(acme.staff).get("/area/privacy/").status_code == 404


def test_the_admin_hub_shows_each_card_only_to_whom_it_is_visible(acme):
    admin = acme.logged_in_client(acme.admin).get("/area/admin/").content.decode()
    staff = acme.logged_in_client(acme.staff).get("/area/admin/").content.decode()
    for title in ("People", "Audit trail", "Backups and restore drills", "Security settings", "Your profile"):
        assert f">{title}</a>" in admin
    assert admin.index(">People</a>") < admin.index(">Audit trail</a>") < admin.index(">Backups and restore drills</a>")
    assert ">People</a>" not in staff and ">Audit trail</a>" not in staff and ">Your profile</a>" in staff


def test_a_card_registered_by_an_app_shows_on_the_admin_hub(acme, admins_only_card):
    assert ">API tokens</a>" in acme.logged_in_client(acme.admin).get("/area/admin/").content.decode()
    assert ">API tokens</a>" not in acme.logged_in_client(acme.staff).get("/area/admin/").content.decode()
