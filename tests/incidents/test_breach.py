"""Personal-data breach: a 72-hour clock from detection (GDPR art. 33), shown on the page, reminded before it ends."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.models import AuditEvent
from incidents import reminders, services
from incidents.models import Incident
from notifications.models import Notification
from notifications.services import reminders_run


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


def _run_at(acme, now):
    """The reminder job's incident producer as it runs at ``now`` (the hourly job calls it with the real time)."""
    with schema_context("acme"):
        created = [n for n in reminders.breach_deadlines(timezone.localdate(now), now) if n is not None]
        return sorted((n.user.email, n.due_key.rsplit(":", 1)[1]) for n in created)


def test_reminders_fire_24_and_4_hours_before_the_deadline_and_once_overdue(acme, make_incident):
    detected = timezone.now() - dt.timedelta(hours=1)
    _breach(acme, make_incident, detected, assignee=acme.operations)
    team = ["ciso@acme.example", "operations@acme.example", "security@acme.example"]
    assert _run_at(acme, detected + dt.timedelta(hours=47, minutes=59)) == []
    assert _run_at(acme, detected + dt.timedelta(hours=48)) == [(email, "24h") for email in team]
    assert _run_at(acme, detected + dt.timedelta(hours=49)) == []  # once per mark
    assert _run_at(acme, detected + dt.timedelta(hours=68, minutes=30)) == [(email, "4h") for email in team]
    assert _run_at(acme, detected + dt.timedelta(hours=71)) == []
    assert _run_at(acme, detected + dt.timedelta(hours=72, minutes=1)) == [(email, "overdue") for email in team]
    assert _run_at(acme, detected + dt.timedelta(hours=90)) == []
    with schema_context("acme"):
        titles = set(Notification.objects.filter(kind="breach_deadline").values_list("title", flat=True))
    deadline = timezone.localtime(detected + dt.timedelta(hours=72)).strftime("%Y-%m-%d %H:%M")
    assert any(title.startswith("Personal-data breach INC-") and deadline in title for title in titles)
    assert any(title.startswith("Overdue: personal-data breach") for title in titles)


def test_the_hourly_job_reminds_before_the_deadline(
    acme, make_incident, mailoutbox, django_capture_on_commit_callbacks, tasks_run_at_once
):
    """Through notifications.reminders_run, at the real time: 50 hours after detection, 22 hours are left."""
    incident = _breach(acme, make_incident, timezone.now() - dt.timedelta(hours=50), assignee=acme.operations)
    far = _breach(acme, make_incident, timezone.now() - dt.timedelta(hours=10))
    with schema_context("acme"), django_capture_on_commit_callbacks(execute=True):
        reminders_run()
    with schema_context("acme"):
        notified = Notification.objects.filter(kind="breach_deadline")
        assert {n.user.email for n in notified} == {
            "ciso@acme.example",
            "operations@acme.example",
            "security@acme.example",
        }
        assert {n.link for n in notified} == {f"/incidents/{incident.pk}/"}
        assert not notified.filter(link=f"/incidents/{far.pk}/").exists()
        assert reminders_run() == 0  # each person is told once per mark
    assert any("Personal-data breach deadline" in mail.subject for mail in mailoutbox)


def test_a_recorded_decision_stops_the_reminders(acme, make_incident):
    detected = timezone.now() - dt.timedelta(hours=60)
    notified = _breach(acme, make_incident, detected, assignee=acme.operations)
    not_notified = _breach(acme, make_incident, detected)
    with schema_context("acme"):
        services.incident_breach_update(
            incident=notified, by=acme.security, authority_notified_at=timezone.now() - dt.timedelta(hours=2)
        )
        services.incident_breach_update(
            incident=not_notified,
            by=acme.security,
            authority_not_notified_reason="Encrypted data, key not exposed: unlikely to result in a risk (art. 33(1)).",
            subjects_not_notified_reason="No high risk to the people concerned (art. 34(3)(a)).",
        )
    assert _run_at(acme, timezone.now()) == []
    page = acme.logged_in_client(acme.auditor).get(f"/incidents/{not_notified.pk}/").content.decode()
    assert "Not notified: Encrypted data, key not exposed" in page
    assert "No high risk to the people concerned" in page


def test_notification_records_are_checked(acme, make_incident):
    incident = _breach(acme, make_incident, timezone.now() - dt.timedelta(hours=5))
    with schema_context("acme"):
        with pytest.raises(ValidationError, match="not both"):
            services.incident_breach_update(
                incident=incident,
                by=acme.security,
                authority_notified_at=timezone.now(),
                authority_not_notified_reason="Because",
            )
        with pytest.raises(ValidationError, match="future"):
            services.incident_breach_update(
                incident=incident, by=acme.security, subjects_notified_at=timezone.now() + dt.timedelta(days=1)
            )
        stored = Incident.objects.get(pk=incident.pk)
        assert stored.authority_notified_at is None and stored.subjects_notified_at is None


def test_the_breach_record_is_saved_from_the_page(acme, make_incident):
    incident = make_incident(status="triaged", assignee=acme.operations)
    client = acme.logged_in_client(acme.operations)
    client.post(
        f"/incidents/{incident.pk}/breach/",
        {"personal_data_breach": "on", "authority_notified_at": "", "subjects_notified_at": ""},
    )
    when = timezone.localtime(timezone.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        f"/incidents/{incident.pk}/breach/",
        {"personal_data_breach": "on", "authority_notified_at": when, "subjects_notified_at": ""},
    )
    with schema_context("acme"):
        stored = Incident.objects.get(pk=incident.pk)
        assert stored.personal_data_breach and stored.authority_notified_at is not None
        assert AuditEvent.objects.filter(action="incident.breach_recorded", object_id=str(incident.pk)).exists()
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert f"Notified {when.replace('T', ' ')}" in page
