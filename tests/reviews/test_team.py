"""Team meeting records: recorded by Operations/Security/CISO/Management; raised issues become incidents or actions."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from audit.models import AuditEvent
from incidents.models import Incident
from reviews import services
from reviews.models import ActionItem, RaisedIssue, TeamMeeting


@pytest.fixture
def team_meeting(acme):
    with schema_context("acme"):
        meeting = services.team_meeting_record(
            by=acme.operations, date=timezone.localdate(), team="Platform operations", notes="Patching reviewed."
        )
        issue = services.issue_raise(meeting=meeting, by=acme.operations, text="Shared admin login on the ticket tool")
        return meeting, issue


@pytest.mark.parametrize("role", ["operations", "security", "ciso", "management"])
def test_these_roles_record_a_team_meeting_through_the_page(acme, role):
    client = acme.logged_in_client(getattr(acme, role))
    response = client.post(
        "/reviews/team-meetings/new/",
        {"date": timezone.localdate().isoformat(), "team": "Support", "notes": "Phishing drill results"},
    )
    assert response.status_code == 302
    with schema_context("acme"):
        meeting = TeamMeeting.objects.get()
        assert meeting.recorded_by == getattr(acme, role) and not meeting.attendees.exists()  # attendees optional
        assert AuditEvent.objects.filter(action="team_meeting.recorded", object_id=str(meeting.pk)).exists()


@pytest.mark.parametrize("role", ["staff", "external", "auditor", "admin"])
def test_others_cannot_record(acme, role):
    with schema_context("acme"), pytest.raises(PermissionDenied):
        services.team_meeting_record(by=getattr(acme, role), date=timezone.localdate(), team="X")


def test_bad_input_shows_errors_and_writes_nothing(acme):
    response = acme.logged_in_client(acme.operations).post("/reviews/team-meetings/new/", {"date": "", "team": ""})
    assert response.status_code == 200 and "field--error" in response.content.decode()
    with schema_context("acme"):
        assert not TeamMeeting.objects.exists()


def test_a_raised_issue_becomes_an_incident(acme, team_meeting):
    meeting, issue = team_meeting
    client = acme.logged_in_client(acme.operations)
    form = client.get(f"/reviews/team-meetings/{meeting.pk}/issues/{issue.pk}/incident/")
    assert form.status_code == 200 and "Shared admin login" in form.content.decode()
    response = client.post(
        f"/reviews/team-meetings/{meeting.pk}/issues/{issue.pk}/incident/",
        {"title": "Shared admin login", "affected": "Ticket tool"},
    )
    assert response.status_code == 302
    with schema_context("acme"):
        incident = Incident.objects.get()
        issue.refresh_from_db()
        assert incident.status == "reported" and incident.reporter == acme.operations
        assert "Platform operations team meeting" in incident.description
        assert issue.outcome == "incident" and issue.incident_reference == incident.reference
    page = client.get(f"/reviews/team-meetings/{meeting.pk}/").content.decode()
    assert incident.reference in page and incident.get_absolute_url() in page
    # Dealt with once: a second report is refused.
    with schema_context("acme"), pytest.raises(ValidationError):
        services.issue_to_incident(issue=issue, by=acme.operations, title="Again")


def test_a_raised_issue_becomes_an_action_that_reaches_the_next_review(acme, team_meeting, plan_review):
    meeting, issue = team_meeting
    client = acme.logged_in_client(acme.security)
    due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    response = client.post(
        f"/reviews/team-meetings/{meeting.pk}/issues/{issue.pk}/action/",
        {"title": "Personal admin logins for support", "owner": acme.operations.pk, "due_date": due},
    )
    assert response.status_code == 302
    with schema_context("acme"):
        action = ActionItem.objects.get()
        assert action.issue == issue and action.meeting is None
        assert RaisedIssue.objects.get(pk=issue.pk).outcome == "action"
    review = plan_review(days=1)
    agenda = acme.logged_in_client(acme.management).get(f"/reviews/{review.pk}/").content.decode()
    assert "Personal admin logins for support" in agenda and "from a team meeting" in agenda
    # The team can close the action it made.
    assert client.post(f"/reviews/actions/{action.pk}/", {"status": "done"}).status_code == 302


def test_noting_an_issue_closes_it(acme, team_meeting):
    meeting, issue = team_meeting
    client = acme.logged_in_client(acme.operations)
    client.post(f"/reviews/team-meetings/{meeting.pk}/issues/{issue.pk}/noted/")
    with schema_context("acme"):
        assert RaisedIssue.objects.get(pk=issue.pk).outcome == "noted"
    page = client.get(f"/reviews/team-meetings/{meeting.pk}/").content.decode()
    assert "Noted, nothing to do" in page and "Report as incident" not in page


def test_search_finds_meetings_by_issue_text(acme, team_meeting):
    client = acme.logged_in_client(acme.auditor)
    assert "Platform operations" in client.get("/reviews/team-meetings/?q=ticket+tool").content.decode()
    assert "No team meetings match" in client.get("/reviews/team-meetings/?q=nothing+like+it").content.decode()
    page = client.get(f"/reviews/team-meetings/{team_meeting[0].pk}/").content.decode()
    assert "Add the issue" not in page and "Report as incident" not in page  # auditors read only


def test_empty_issue_is_refused(acme, team_meeting):
    meeting, _issue = team_meeting
    response = acme.logged_in_client(acme.operations).post(f"/reviews/team-meetings/{meeting.pk}/issues/", {"text": ""})
    assert response.status_code == 400
    with schema_context("acme"):
        assert RaisedIssue.objects.filter(meeting=meeting).count() == 1


def test_team_meetings_export_as_csv_and_xlsx_formula_safe_and_filtered(acme):
    with schema_context("acme"):
        services.team_meeting_record(by=acme.operations, date=timezone.localdate(), team="Platform", notes="=cmd()")
        services.team_meeting_record(by=acme.operations, date=timezone.localdate(), team="Support", notes="Phishing")
    client = acme.logged_in_client(acme.operations)
    csv_text = client.get("/reviews/team-meetings/?team=Platform&format=csv").content.decode()
    assert "'=cmd()" in csv_text and "Platform" in csv_text and "Support" not in csv_text
    response = client.get("/reviews/team-meetings/?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True)) == ["Platform", "Support"]
    assert acme.logged_in_client(acme.staff).get("/reviews/team-meetings/?format=csv").status_code == 404
