"""Breach reminders: 24 and 4 hours before the 72-hour deadline and once overdue, until a decision is recorded."""

import datetime as dt

from django.utils import timezone
from django_tenants.utils import schema_context

from incidents import reminders, services
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
