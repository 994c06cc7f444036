"""The incident model: the workflow (only the allowed moves, audited; closed is read-only until reopened) and the
72-hour breach clock from detection (GDPR art. 33)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.models import AuditEvent
from incidents import attachments, services
from incidents.models import TRANSITIONS, Incident, StatusChange, TransitionNotAllowed
from incidents.policies import incident_policy

STATUSES = ["reported", "triaged", "contained", "resolved", "closed"]
ALLOWED = {
    ("reported", "triaged"),
    ("triaged", "contained"),
    ("triaged", "resolved"),
    ("contained", "resolved"),
    ("resolved", "closed"),
}


def test_the_workflow_table_is_exactly_the_documented_one():
    assert {(start, end) for start, ends in TRANSITIONS.items() for end in ends} == ALLOWED


@pytest.mark.parametrize("start", STATUSES)
@pytest.mark.parametrize("end", STATUSES)
def test_only_allowed_transitions_happen(acme, make_incident, start, end):
    incident = make_incident(status=start)
    with schema_context("acme"):
        changes_before = StatusChange.objects.filter(incident=incident).count()
        if (start, end) in ALLOWED:
            if end == "closed":
                incident = services.incident_update(incident=incident, by=acme.operations, root_cause="Weak filter")
            services.incident_transition(incident=incident, by=acme.operations, to=end, severity=3)
            incident.refresh_from_db()
            assert incident.status == end
            change = StatusChange.objects.filter(incident=incident).last()
            assert change is not None
            assert (change.from_status, change.to_status, change.by) == (start, end, acme.operations)
            event = AuditEvent.objects.filter(object_id=str(incident.pk), action=f"incident.{end}").get()
            assert event.actor == acme.operations and event.changes["status"] == [start, end]
        else:
            with pytest.raises(TransitionNotAllowed):
                services.incident_transition(incident=incident, by=acme.operations, to=end, severity=3)
            incident.refresh_from_db()
            assert incident.status == start
            assert StatusChange.objects.filter(incident=incident).count() == changes_before


def test_triage_needs_a_severity_and_closing_a_root_cause(acme, make_incident):
    incident = make_incident()
    with schema_context("acme"):
        with pytest.raises(ValidationError, match="severity"):
            services.incident_transition(incident=incident, by=acme.operations, to="triaged")
        services.incident_transition(incident=incident, by=acme.operations, to="triaged", severity=3)
        services.incident_transition(incident=incident, by=acme.operations, to="resolved")
        with pytest.raises(ValidationError, match="root cause"):
            services.incident_transition(incident=incident, by=acme.operations, to="closed")
        assert Incident.objects.get(pk=incident.pk).status == "resolved"


def test_a_disallowed_move_posted_from_the_page_says_why_and_changes_nothing(acme, make_incident):
    incident = make_incident()
    client = acme.logged_in_client(acme.operations)
    response = client.post(f"/incidents/{incident.pk}/status/", {"to": "closed"}, follow=True)
    assert "An incident that is reported cannot be moved to closed." in response.content.decode()
    with schema_context("acme"):
        assert Incident.objects.get(pk=incident.pk).status == "reported"


def test_the_page_shows_each_move_with_who_and_when(acme, make_incident):
    incident = make_incident()
    client = acme.logged_in_client(acme.operations)
    client.post(
        f"/incidents/{incident.pk}/status/",
        {"to": "triaged", "severity": "2", "assignee": str(acme.security.pk), "note": "Real phishing"},
    )
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    with schema_context("acme"):
        change = StatusChange.objects.get(incident=incident, to_status="triaged")
        incident.refresh_from_db()
    assert (incident.severity, incident.assignee) == (2, acme.security)
    assert "Reported → Triaged" in page and "Real phishing" in page
    assert str(acme.operations) in page
    assert timezone.localtime(change.at).strftime("%Y-%m-%d %H:%M") in page
    # Only the moves allowed from here are offered.
    assert "Mark contained" in page and "Mark resolved" in page and ">Close<" not in page


@pytest.fixture
def closed(acme, make_incident):
    return make_incident(status="closed")


def test_a_closed_incident_cannot_be_changed(acme, closed):
    with schema_context("acme"):
        attempts = [
            lambda: services.incident_update(incident=closed, by=acme.operations, title="Changed"),
            lambda: services.timeline_add(incident=closed, by=acme.operations, text="Late note"),
            lambda: services.action_add(
                incident=closed, by=acme.operations, title="X", owner=acme.operations, due_date=dt.date(2030, 1, 1)
            ),
            lambda: services.incident_breach_update(incident=closed, by=acme.operations, personal_data_breach=True),
            lambda: services.incident_risks_set(incident=closed, by=acme.operations, risks=[]),
            lambda: attachments.attachment_add(
                incident=closed, by=acme.operations, upload=__import__("io").BytesIO(b"log"), filename="a.log", size=3
            ),
        ]
        for attempt in attempts:
            with pytest.raises(ValidationError, match="closed"):
                attempt()
        fresh = Incident.objects.get(pk=closed.pk)
        assert (fresh.title, fresh.personal_data_breach) == (closed.title, False)
        assert not fresh.timeline.exists() and not fresh.actions.exists() and not fresh.attachments.exists()


def test_the_edit_page_of_a_closed_incident_refuses_and_points_to_reopening(acme, closed):
    client = acme.logged_in_client(acme.operations)
    response = client.post(f"/incidents/{closed.pk}/edit/", {"title": "Changed", "type": "security"}, follow=True)
    assert "This incident is closed. Reopen it to change it." in response.content.decode()
    page = client.get(f"/incidents/{closed.pk}/").content.decode()
    assert "Reopen incident" in page and "Edit details" not in page
    with schema_context("acme"):
        assert Incident.objects.get(pk=closed.pk).title == closed.title


def test_reopening_is_audited_and_makes_the_incident_editable_again(acme, closed):
    client = acme.logged_in_client(acme.security)
    assert "Say why" in client.post(f"/incidents/{closed.pk}/reopen/", {"reason": ""}, follow=True).content.decode()
    client.post(f"/incidents/{closed.pk}/reopen/", {"reason": "Same phishing kit seen again"})
    with schema_context("acme"):
        incident = Incident.objects.get(pk=closed.pk)
        assert incident.status == "triaged" and incident.closed_at is None
        event = AuditEvent.objects.get(object_id=str(closed.pk), action="incident.reopened")
        assert event.actor == acme.security
        assert event.changes == {"status": ["closed", "triaged"], "reason": [None, "Same phishing kit seen again"]}
        change = StatusChange.objects.get(incident=incident, reopened=True)
        assert change.by == acme.security
        services.incident_update(incident=incident, by=acme.operations, title="Phishing kit, second wave")
        assert Incident.objects.get(pk=closed.pk).title == "Phishing kit, second wave"
    assert "Reopened" in client.get(f"/incidents/{closed.pk}/").content.decode()


@pytest.mark.parametrize("role", ["operations", "management", "staff"])
def test_only_the_incident_team_leads_reopen(acme, closed, role):
    """Security and the CISO (and Operations, who handle incidents) reopen; readers and reporters cannot."""
    client = acme.logged_in_client(getattr(acme, role))
    status = client.post(f"/incidents/{closed.pk}/reopen/", {"reason": "Try"}).status_code
    with schema_context("acme"):
        reopened = Incident.objects.get(pk=closed.pk).status != "closed"
    assert reopened == (role == "operations")
    assert status == (302 if role == "operations" else 404)


def test_reopening_an_open_incident_is_refused(acme, make_incident):
    incident = make_incident(status="triaged")
    with schema_context("acme"), pytest.raises(TransitionNotAllowed):
        services.incident_reopen(incident=incident, by=acme.ciso, reason="Why not")


def test_the_policy_answers_for_a_closed_incident_too(acme, make_incident):
    """Handlers edit and contribute while an incident is open; once closed, only reopening is offered."""
    open_one = make_incident(status="triaged")
    closed = make_incident(status="closed")
    with schema_context("acme"):
        assert incident_policy.can_edit(acme.operations, open_one)
        assert incident_policy.can_add_to(acme.staff, open_one)  # the reporter
        assert not incident_policy.can_reopen(acme.operations, open_one)
        assert not incident_policy.can_edit(acme.operations, closed)
        assert not incident_policy.can_add_to(acme.staff, closed)
        assert incident_policy.can_reopen(acme.operations, closed)
        assert not incident_policy.can_reopen(acme.staff, closed)


def _breach(acme, make_incident, detected_at, assignee=None):
    incident = make_incident(
        by=acme.staff, title="Customer list e-mailed to the wrong address", detected_at=detected_at
    )
    with schema_context("acme"):
        if assignee is not None:
            incident = services.incident_transition(
                incident=incident, by=acme.operations, to="triaged", severity=1, assignee=assignee
            )
        return services.incident_breach_update(incident=incident, by=acme.security, personal_data_breach=True)


def test_the_deadline_is_72_hours_from_detection_and_shown_on_the_page(acme, make_incident):
    detected = timezone.now().replace(microsecond=0) - dt.timedelta(hours=30)
    incident = _breach(acme, make_incident, detected)
    assert incident.breach_deadline == detected + dt.timedelta(hours=72)
    page = acme.logged_in_client(acme.management).get(f"/incidents/{incident.pk}/").content.decode()
    deadline = timezone.localtime(detected + dt.timedelta(hours=72)).strftime("%Y-%m-%d %H:%M")
    assert "72-hour clock (GDPR art. 33)" in page
    assert f"Notify the supervisory authority by <strong>{deadline}</strong>" in page
    assert "1 d 17 h left" in page or "1 d 18 h left" in page
    with schema_context("acme"):
        event = AuditEvent.objects.get(action="incident.breach_flagged", object_id=str(incident.pk))
        assert event.actor == acme.security


def test_the_deadline_is_72_real_hours_across_the_end_of_summer_time(acme, make_incident):
    """Stockholm leaves summer time on 2026-10-25: noon on the 24th (UTC+2) plus 72 hours is 11:00 on the 27th."""
    stockholm = timezone.get_default_timezone()
    detected = dt.datetime(2026, 10, 24, 12, 0, tzinfo=stockholm)
    incident = _breach(acme, make_incident, detected)
    assert incident.breach_deadline == dt.datetime(2026, 10, 27, 10, 0, tzinfo=dt.UTC)
    page = acme.logged_in_client(acme.management).get(f"/incidents/{incident.pk}/").content.decode()
    assert "Notify the supervisory authority by <strong>2026-10-27 11:00</strong>" in page


def test_a_corrected_detection_time_moves_the_deadline(acme, make_incident):
    incident = _breach(acme, make_incident, timezone.now() - dt.timedelta(hours=1))
    earlier = timezone.now().replace(microsecond=0) - dt.timedelta(hours=80)
    with schema_context("acme"):
        incident = services.incident_update(incident=incident, by=acme.operations, detected_at=earlier)
    assert incident.breach_deadline == earlier + dt.timedelta(hours=72)
    page = acme.logged_in_client(acme.operations).get(f"/incidents/{incident.pk}/").content.decode()
    assert "overdue by 8 h" in page


def test_no_clock_without_the_flag(acme, make_incident):
    incident = make_incident()
    assert incident.breach_deadline is None
    assert "72-hour clock" not in acme.logged_in_client(acme.ciso).get(f"/incidents/{incident.pk}/").content.decode()
