"""Who reaches which review page: every role, Management reads all and approves, other tenants get 404."""

import pytest
from django_tenants.utils import schema_context

from reviews import services

ROLES = ["admin", "ciso", "security", "operations", "management", "staff", "auditor", "external"]
REVIEW_READERS = {"ciso", "security", "management", "auditor"}
REVIEW_WRITERS = {"ciso", "security"}
TEAM_READERS = {"ciso", "security", "operations", "management", "auditor"}
TEAM_WRITERS = {"ciso", "security", "operations", "management"}
EVERYONE = set(ROLES)


@pytest.fixture
def records(acme, held_review, plan_review):
    held, action = held_review()
    planned = plan_review(title="Next review", days=10)
    with schema_context("acme"):
        team = services.team_meeting_record(by=acme.operations, date=held.date, team="Platform", notes="Patching")
        issue = services.issue_raise(meeting=team, by=acme.operations, text="Shared admin login")
    return {"held": held, "planned": planned, "action": action, "team": team, "issue": issue}


def pages(r) -> list[tuple[str, set[str]]]:
    held, planned, team = r["held"].pk, r["planned"].pk, r["team"].pk
    return [
        (f"/reviews/{held}/", REVIEW_READERS),
        (f"/reviews/{held}/minutes/", REVIEW_READERS),
        (f"/reviews/{planned}/", REVIEW_READERS),
        ("/reviews/new/", REVIEW_WRITERS),
        (f"/reviews/{planned}/edit/", REVIEW_WRITERS),
        (f"/reviews/{held}/approve/", {"management"}),
        (f"/reviews/{r['held'].pk}/decisions/{r['held'].decisions.first().pk}/remove/", REVIEW_WRITERS),
        ("/reviews/actions/", EVERYONE),
        (f"/reviews/actions/{r['action'].pk}/", REVIEW_READERS | TEAM_READERS),  # and its owner (Operations)
        ("/reviews/team-meetings/", TEAM_READERS),
        (f"/reviews/team-meetings/{team}/", TEAM_READERS),
        ("/reviews/team-meetings/new/", TEAM_WRITERS),
        (f"/reviews/team-meetings/{team}/edit/", TEAM_WRITERS),
        (f"/reviews/team-meetings/{team}/issues/{r['issue'].pk}/action/", TEAM_WRITERS),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_review_pages(acme, records, role):
    client = acme.logged_in_client(getattr(acme, role))
    with schema_context("acme"):
        expected_pages = pages(records)
    outcomes = {path: client.get(path).status_code for path, _allowed in expected_pages}
    assert outcomes == {path: 200 if role in allowed else 404 for path, allowed in expected_pages}


@pytest.mark.parametrize("role", ROLES)
def test_the_reviews_area_leads_each_role_somewhere_useful(acme, role):
    response = acme.logged_in_client(getattr(acme, role)).get("/reviews/")
    if role in REVIEW_READERS:
        assert response.status_code == 200 and "Management reviews" in response.content.decode()
    elif role in TEAM_READERS:
        assert response.status_code == 302 and response["Location"] == "/reviews/team-meetings/"
    else:  # Staff, External, Admin: only the actions they own
        assert response.status_code == 302 and response["Location"] == "/reviews/actions/"


@pytest.mark.parametrize("role", ROLES)
def test_another_tenant_reaches_nothing_of_acme(acme, globex, records, role):
    client = globex.logged_in_client(getattr(globex, role))
    with schema_context("acme"):
        # Every page of one acme record; the list pages of globex are globex's own.
        acme_pages = [path for path, _allowed in pages(records) if any(char.isdigit() for char in path)]
    for path in acme_pages:
        assert client.get(path).status_code == 404, path
    for listing in ("/reviews/actions/", "/reviews/team-meetings/", "/reviews/"):
        response = client.get(listing, follow=True)
        assert "Roll out FIDO2 keys" not in response.content.decode()
        assert "Platform" not in response.content.decode()


def test_the_action_owner_sees_and_updates_their_own_action_only(acme, records):
    with schema_context("acme"):
        other = services.action_add(
            meeting=records["held"],
            by=acme.ciso,
            title="Staff's action",
            owner=acme.staff,
            due_date=records["held"].date,
        )
    staff = acme.logged_in_client(acme.staff)
    listing = staff.get("/reviews/actions/").content.decode()
    assert "Staff&#x27;s action" in listing and "Roll out FIDO2 keys" not in listing
    assert staff.get(f"/reviews/actions/{records['action'].pk}/").status_code == 404
    assert staff.post(f"/reviews/actions/{other.pk}/", {"status": "done"}).status_code == 302
    assert staff.get(f"/reviews/{records['held'].pk}/").status_code == 404  # the review itself stays out of reach
    with schema_context("acme"):
        other.refresh_from_db()
        assert other.status == "done" and other.closed_at is not None


@pytest.mark.parametrize("role", ["management", "auditor"])
def test_readers_cannot_write_minutes(acme, records, role):
    client = acme.logged_in_client(getattr(acme, role))
    held = records["held"].pk
    assert client.post(f"/reviews/{held}/decisions/", {"kind": "improvement", "text": "x"}).status_code == 404
    assert client.post(f"/reviews/{held}/sections/a/", {"text": "x"}).status_code == 404
    assert client.post(f"/reviews/{held}/actions/", {"title": "x"}).status_code == 404
    with schema_context("acme"):
        assert records["held"].decisions.count() == 1


def test_management_sees_the_approve_button_and_approves(acme, records):
    client = acme.logged_in_client(acme.management)
    page = client.get(f"/reviews/{records['held'].pk}/").content.decode()
    assert "Approve the minutes" in page and "Record the decision" not in page
    assert client.post(f"/reviews/{records['held'].pk}/approve/").status_code == 302
    page = client.get(f"/reviews/{records['held'].pk}/").content.decode()
    assert "Minutes approved" in page and "Approve the minutes" not in page
    ciso_page = acme.logged_in_client(acme.ciso).get(f"/reviews/{records['held'].pk}/").content.decode()
    assert "Record the decision" not in ciso_page  # approved minutes are final


def test_anonymous_people_are_sent_to_login(acme, records):
    client = acme.client()
    with schema_context("acme"):
        every = pages(records)
    for path, _allowed in every:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), path


def test_team_meeting_readers_see_team_actions_but_not_other_peoples_review_actions(acme, records):
    with schema_context("acme"):
        secret = services.action_add(
            meeting=records["held"],
            by=acme.ciso,
            title="Replace the CTO's laptop",
            owner=acme.ciso,
            due_date=records["held"].date,
        )
        from_team = services.issue_to_action(
            issue=records["issue"],
            by=acme.security,
            title="Rotate the shared admin login",
            owner=acme.security,
            due_date=records["held"].date,
        )
    operations = acme.logged_in_client(acme.operations)
    listing = operations.get("/reviews/actions/").content.decode()
    assert "Rotate the shared admin login" in listing and "Roll out FIDO2 keys" in listing  # a team action, their own
    assert "Replace the CTO" not in listing
    assert operations.get(f"/reviews/actions/{secret.pk}/").status_code == 404
    assert operations.get(f"/reviews/actions/{from_team.pk}/").status_code == 200
    export = operations.get("/reviews/actions/?format=csv").content.decode()
    assert "Replace the CTO" not in export and "Rotate the shared admin login" in export
