"""Issues raised at team meetings reach the incident log through the reporter incidents registers."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from incidents.services import incident_report
from reviews import escalation, services
from reviews.models import RaisedIssue


@pytest.fixture
def open_issue(acme):
    with schema_context("acme"):
        meeting = services.team_meeting_record(
            by=acme.operations, date=timezone.localdate(), team="Platform operations", notes=""
        )
        return meeting, services.issue_raise(meeting=meeting, by=acme.operations, text="Shared admin login")


@pytest.fixture
def without_incident_log():
    reporter = escalation.incident_reporter()
    assert reporter is not None
    escalation.REPORTERS.unregister(escalation.INCIDENT)
    yield
    escalation.REPORTERS.register(escalation.INCIDENT, reporter)


def test_the_incident_log_registers_its_reporter():
    assert escalation.incident_reporter() is incident_report


def test_without_an_incident_log_the_issue_stays_open_and_the_page_offers_nothing(
    acme, open_issue, without_incident_log
):
    meeting, issue = open_issue
    with schema_context("acme"), pytest.raises(ValidationError):
        services.issue_to_incident(issue=issue, by=acme.operations, title="Shared login")
    with schema_context("acme"):
        assert RaisedIssue.objects.get(pk=issue.pk).outcome == RaisedIssue.Outcome.OPEN
    client = acme.logged_in_client(acme.operations)
    assert "Report as incident" not in client.get(meeting.get_absolute_url()).content.decode()
