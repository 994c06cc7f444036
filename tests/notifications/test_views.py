"""The notification list as a person meets it: the unread count in the header, opening, marking read, isolation."""

import re

from django_tenants.utils import schema_context

from notifications import kinds
from notifications.models import Notification
from notifications.services import notify


def _notify(user, title="Review of R-001 is due", key="risk:1:2026-12-01", link="/risks/"):
    with schema_context("acme"):
        return notify(user=user, kind="risk_review", title=title, link=link, due_key=key)


def _badge(body: str) -> str | None:
    match = re.search(r'href="/notifications/">Notifications(?: <span class="badge">(\d+))?', body)
    assert match, "the header links to the notifications"
    return match.group(1)


def test_notify_is_idempotent_per_due_item(acme):
    assert _notify(acme.ciso) is not None
    assert _notify(acme.ciso) is None
    assert _notify(acme.ciso, key="risk:1:2027-06-01") is not None


def test_header_shows_the_unread_count_and_opening_marks_read(acme):
    first = _notify(acme.ciso, title="First reminder", key="a")
    _notify(acme.ciso, title="Second reminder", key="b")
    client = acme.logged_in_client(acme.ciso)
    assert _badge(client.get("/").content.decode()) == "2"
    page = client.get("/notifications/").content.decode()
    assert page.index("Second reminder") < page.index("First reminder"), "newest first"
    assert page.count(">unread</span>") == 2
    response = client.post(f"/notifications/{first.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/risks/"
    assert _badge(client.get("/").content.decode()) == "1"
    assert client.post("/notifications/read-all/").status_code == 302
    assert _badge(client.get("/").content.decode()) is None
    with schema_context("acme"):
        assert not Notification.objects.filter(read_at=None).exists()


def test_the_list_is_paginated(acme):
    for number in range(30):
        _notify(acme.staff, title=f"Reminder {number}", key=f"k{number}")
    client = acme.logged_in_client(acme.staff)
    assert client.get("/notifications/").content.decode().count(">Open</button>") == 25
    assert client.get("/notifications/?page=2").content.decode().count(">Open</button>") == 5


def test_only_the_owner_sees_and_opens_their_notifications(acme):
    theirs = _notify(acme.ciso, title="Private reminder")
    staff = acme.logged_in_client(acme.staff)
    assert "Private reminder" not in staff.get("/notifications/").content.decode()
    assert staff.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    staff.post("/notifications/read-all/")
    with schema_context("acme"):
        theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_needs_a_post(acme):
    mine = _notify(acme.ciso)
    assert acme.logged_in_client(acme.ciso).get(f"/notifications/{mine.pk}/open/").status_code == 404


def test_another_tenants_people_see_none(acme, globex):
    acmes = _notify(acme.ciso, title="Acme only")
    client = globex.logged_in_client(globex.ciso)
    assert "Acme only" not in client.get("/notifications/").content.decode()
    assert _badge(client.get("/").content.decode()) is None
    assert client.post(f"/notifications/{acmes.pk}/open/").status_code == 404


def test_no_link_while_two_factor_is_pending(acme):
    body = acme.logged_in_client(acme.ciso, verified=False).get("/", follow=True).content.decode()
    assert 'href="/notifications/"' not in body


def test_preferences_page_shows_one_box_per_kind_ticked_by_default(acme):
    body = acme.logged_in_client(acme.staff).get("/notifications/preferences/").content.decode()
    for kind in kinds.values():
        assert f'name="{kind}"' in body
    assert body.count("checked") == len(kinds.values())
