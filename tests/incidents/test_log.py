"""The incident log as people use it: reporting, list filters and exports, notes, actions and their reminders,
hand-over at offboarding, linked risks."""

import csv
import datetime as dt
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from accounts import services as account_services
from audit.models import AuditEvent
from incidents import services
from incidents.models import CorrectiveAction, Incident, TimelineEntry
from notifications.models import Notification
from notifications.services import reminders_run


def test_staff_reports_through_the_form_and_lands_on_their_report(acme):
    client = acme.logged_in_client(acme.staff)
    form = client.get("/incidents/report/").content.decode()
    for label in ("What happened?", "When did you notice it?", "What is affected?", "Kind of incident"):
        assert label in form
    assert "4 – Low" in form  # severity definitions shown
    response = client.post(
        "/incidents/report/",
        {
            "title": "Suspicious USB stick in the car park",
            "description": "Found by the entrance.",
            "detected_at": "",
            "affected": "",
            "type": "security",
        },
        follow=True,
    )
    page = response.content.decode()
    with schema_context("acme"):
        incident = Incident.objects.get()
    assert response.redirect_chain[-1][0] == f"/incidents/{incident.pk}/"
    assert f"Your report is {incident.reference}" in page and "Reported" in page
    assert (incident.status, incident.reporter) == ("reported", acme.staff)


def test_a_bad_report_shows_form_errors_and_writes_nothing(acme):
    client = acme.logged_in_client(acme.external)
    future = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page = client.post("/incidents/report/", {"title": "", "detected_at": future, "type": "nonsense"}).content.decode()
    assert "This field is required." in page
    assert "The time it was noticed cannot be in the future." in page
    with schema_context("acme"):
        assert not Incident.objects.exists()


def test_filters_and_exports_show_the_same_rows(acme, make_incident):
    make_incident(title="Phishing wave", status="triaged", assignee=acme.security)
    make_incident(title="Backup job failed", type="operational", status="resolved")
    breach = make_incident(title="HR file sent to wrong person", type="privacy")
    with schema_context("acme"):
        services.incident_breach_update(incident=breach, by=acme.ciso, personal_data_breach=True)
    client = acme.logged_in_client(acme.ciso)

    def titles(query):
        page = client.get(f"/incidents/?{query}").content.decode()
        return {t for t in ("Phishing wave", "Backup job failed", "HR file sent to wrong person") if t in page}

    assert titles("type=operational") == {"Backup job failed"}
    assert titles("status=open") == {"Phishing wave", "HR file sent to wrong person"}
    assert titles("breach=yes") == {"HR file sent to wrong person"}
    assert titles("severity=none") == {"HR file sent to wrong person"}
    assert titles(f"assignee={acme.security.pk}") == {"Phishing wave"}
    assert titles("q=backup") == {"Backup job failed"}
    assert titles("mine=on") == set()
    assert "No incidents to show" in client.get("/incidents/?q=nothing-like-this").content.decode()

    rows = list(csv.reader(io.StringIO(client.get("/incidents/?status=open&format=csv").content.decode())))
    assert rows[0][:5] == ["reference", "title", "type", "severity", "status"]
    assert {row[1] for row in rows[1:]} == {"Phishing wave", "HR file sent to wrong person"}
    sheet = load_workbook(io.BytesIO(client.get("/incidents/?breach=yes&format=xlsx").content)).active
    values = list(sheet.values)
    assert values[1][1] == "HR file sent to wrong person" and values[1][13] is True


def test_exports_are_formula_safe(acme, make_incident):
    make_incident(title='=HYPERLINK("http://evil")')
    content = acme.logged_in_client(acme.ciso).get("/incidents/?format=csv").content.decode()
    assert "'=HYPERLINK" in content


def test_a_title_with_a_control_character_does_not_break_the_xlsx_export(acme, make_incident):
    make_incident(title="Printer \x1b[31m shows a ransom note")
    response = acme.logged_in_client(acme.ciso).get("/incidents/?format=xlsx")
    assert response.status_code == 200
    titles = [row[1] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert "Printer [31m shows a ransom note" in titles


def test_timeline_notes_by_reporter_and_handler(acme, make_incident):
    incident = make_incident(by=acme.staff)
    acme.logged_in_client(acme.staff).post(
        f"/incidents/{incident.pk}/timeline/", {"text": "I also clicked the link, sorry", "at": ""}
    )
    at = (timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    acme.logged_in_client(acme.operations).post(
        f"/incidents/{incident.pk}/timeline/", {"text": "Password reset forced", "at": at}
    )
    # Readers cannot write notes.
    assert (
        acme.logged_in_client(acme.management).post(f"/incidents/{incident.pk}/timeline/", {"text": "Hi"}).status_code
        == 404
    )
    with schema_context("acme"):
        entries = list(TimelineEntry.objects.filter(incident=incident).values_list("author__email", "text"))
    assert entries == [
        ("operations@acme.example", "Password reset forced"),
        ("staff@acme.example", "I also clicked the link, sorry"),
    ]
    page = acme.logged_in_client(acme.staff).get(f"/incidents/{incident.pk}/").content.decode()
    assert page.index("Password reset forced") < page.index("I also clicked the link")


def test_corrective_actions_remind_their_owner_who_can_then_see_the_incident(acme, make_incident):
    incident = make_incident(by=acme.external, status="triaged", assignee=acme.operations)
    today = timezone.localdate()
    client = acme.logged_in_client(acme.operations)
    client.post(
        f"/incidents/{incident.pk}/actions/",
        {
            "title": "Enforce MFA for consultants",
            "owner": str(acme.admin.pk),
            "due_date": str(today + dt.timedelta(days=2)),
        },
    )
    client.post(
        f"/incidents/{incident.pk}/actions/",
        {"title": "Yearly review", "owner": str(acme.admin.pk), "due_date": str(today + dt.timedelta(days=60))},
    )
    with schema_context("acme"):
        reminders_run()
        reminded = list(Notification.objects.filter(kind="corrective_action").values_list("user__email", "title"))
        action = CorrectiveAction.objects.get(title="Enforce MFA for consultants")
    assert reminded == [
        (
            "admin@acme.example",
            f"Corrective action {incident.reference}: Enforce MFA for consultants is due on {action.due_date}",
        )
    ]
    owner = acme.logged_in_client(acme.admin)
    assert owner.get(f"/incidents/{incident.pk}/").status_code == 200
    owner.post(f"/incidents/actions/{action.pk}/status/", {"status": "done"})
    with schema_context("acme"):
        action.refresh_from_db()
    assert action.status == "done" and action.completed_at is not None
    # Someone else (not owner, not handler) cannot move it.
    assert (
        acme.logged_in_client(acme.management)
        .post(f"/incidents/actions/{action.pk}/status/", {"status": "open"})
        .status_code
        == 404
    )


def test_offboarding_hands_over_assigned_incidents_and_open_actions(acme, make_incident):
    with schema_context("acme"):
        leaver = account_services.user_create(email="leaver@acme.example", roles=["Operations"])
    incident = make_incident(status="triaged", assignee=leaver)
    with schema_context("acme"):
        services.action_add(
            incident=incident, by=acme.operations, title="Rotate keys", owner=leaver, due_date=timezone.localdate()
        )
        account_services.user_offboard(user=leaver, by=acme.admin, reassign_to=acme.security)
        incident.refresh_from_db()
        assert incident.assignee == acme.security
        assert CorrectiveAction.objects.get(title="Rotate keys").owner == acme.security


def test_linking_risks_from_the_incident(acme, make_incident, make_risk):
    risk = make_risk(title="Phishing of admin accounts")
    incident = make_incident(status="triaged", assignee=acme.security)
    client = acme.logged_in_client(acme.security)
    assert "Phishing of admin accounts" in client.get(f"/incidents/{incident.pk}/").content.decode()
    client.post(f"/incidents/{incident.pk}/risks/", {"risks": [str(risk.pk)]})
    with schema_context("acme"):
        assert list(incident.risks.all()) == [risk]
    # Operations handle incidents but cannot see risks: the link is not shown to them, and stays.
    page = acme.logged_in_client(acme.operations).get(f"/incidents/{incident.pk}/").content.decode()
    assert risk.reference not in page
    acme.logged_in_client(acme.operations).post(f"/incidents/{incident.pk}/risks/", {})
    with schema_context("acme"):
        assert list(incident.risks.all()) == [risk]


def _edit_form(incident, **changes):
    data = {
        "title": incident.title,
        "description": incident.description,
        "type": incident.type,
        "severity": str(incident.severity or ""),
        "assignee": str(incident.assignee_id or ""),
        "occurred_at": "",
        "detected_at": timezone.localtime(incident.detected_at).strftime("%Y-%m-%dT%H:%M"),
        "affected": ", ".join(incident.affected),
        "root_cause": "",
        "lessons_learned": "",
    }
    return data | changes


def test_handlers_edit_the_record_and_bad_input_writes_nothing(acme, make_incident):
    from audit.models import AuditEvent

    incident = make_incident(status="triaged", assignee=acme.operations)
    client = acme.logged_in_client(acme.security)
    page = client.get(f"/incidents/{incident.pk}/edit/").content.decode()
    assert "1 – Critical: Customer data exposed" in page  # severity definitions beside the field
    noticed = timezone.localtime(incident.detected_at - dt.timedelta(hours=3))
    later = (noticed + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    changed = _edit_form(incident, detected_at=noticed.strftime("%Y-%m-%dT%H:%M"), occurred_at=later)
    page = client.post(f"/incidents/{incident.pk}/edit/", changed).content.decode()
    assert "It cannot have happened after it was noticed." in page
    page = client.post(f"/incidents/{incident.pk}/edit/", _edit_form(incident, severity="9")).content.decode()
    assert "Select a valid choice." in page
    with schema_context("acme"):
        assert Incident.objects.get(pk=incident.pk).severity == 2
    response = client.post(
        f"/incidents/{incident.pk}/edit/",
        _edit_form(incident, severity="1", root_cause="Look-alike domain", affected="E-mail, SSO"),
    )
    assert response.status_code == 302
    with schema_context("acme"):
        stored = Incident.objects.get(pk=incident.pk)
        assert (stored.severity, stored.root_cause, stored.affected) == (1, "Look-alike domain", ["E-mail", "SSO"])
        event = AuditEvent.objects.filter(action="incident.updated", object_id=str(incident.pk)).get()
        assert event.changes["severity"] == [2, 1] and event.actor == acme.security


def test_an_assignee_without_the_handler_role_edits_but_cannot_reassign(acme, make_incident):
    incident = make_incident(status="triaged", assignee=acme.admin)
    client = acme.logged_in_client(acme.admin)
    page = client.get(f"/incidents/{incident.pk}/edit/").content.decode()
    assert 'name="assignee"' not in page
    data = _edit_form(incident, title="Renamed by the assignee")
    data.pop("assignee")
    assert client.post(f"/incidents/{incident.pk}/edit/", data).status_code == 302
    with schema_context("acme"):
        stored = Incident.objects.get(pk=incident.pk)
    assert (stored.title, stored.assignee) == ("Renamed by the assignee", acme.admin)


def test_times_outside_any_sensible_range_are_form_errors_and_the_log_keeps_working(acme, make_incident):
    """Year 1 in Stockholm is year 0 in UTC: stored, it would break every page that reads the incident."""
    staff = acme.logged_in_client(acme.staff)
    page = staff.post(
        "/incidents/report/", {"title": "Old", "detected_at": "0001-01-01T00:10", "type": "security"}
    ).content.decode()
    assert "Give a time in the year 2000 or later." in page
    incident = make_incident(status="triaged", assignee=acme.operations)
    handler = acme.logged_in_client(acme.operations)
    base = {"title": incident.title, "type": "security", "severity": "2", "assignee": acme.operations.pk}
    # The notes and the breach record are forms on the incident's page: refused, they go back to it with the
    # reason as a message. The edit page shows its form again with the error.
    on_page, edit_form = 302, 200
    for path, data, refused in [
        (f"/incidents/{incident.pk}/timeline/", {"text": "Long ago", "at": "0001-01-01T00:00"}, on_page),
        (f"/incidents/{incident.pk}/timeline/", {"text": "Far ahead", "at": "9999-12-31T23:59"}, on_page),
        (
            f"/incidents/{incident.pk}/breach/",
            {"personal_data_breach": "on", "authority_notified_at": "0001-01-01T00:00"},
            on_page,
        ),
        (f"/incidents/{incident.pk}/edit/", {**base, "detected_at": "0001-01-01T00:00"}, edit_form),
        (f"/incidents/{incident.pk}/edit/", {**base, "detected_at": "9999-12-31T23:59"}, edit_form),
        (
            f"/incidents/{incident.pk}/edit/",
            {**base, "detected_at": "2026-01-01T10:00", "occurred_at": "1999-12-31T10:00"},
            edit_form,
        ),
    ]:
        assert handler.post(path, data).status_code == refused, (path, data)
    assert handler.get(f"/incidents/{incident.pk}/").status_code == 200
    assert "1 incident" in handler.get("/incidents/").content.decode()
    with schema_context("acme"):
        stored = Incident.objects.get()
        assert stored.detected_at == incident.detected_at and stored.occurred_at is None
        assert not stored.personal_data_breach and not TimelineEntry.objects.exists()


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


def _add(acme, start, count):
    people = [acme.staff, acme.operations, acme.security, acme.external]
    now = timezone.now()
    with schema_context("acme"):
        incidents = Incident.objects.bulk_create(
            [
                Incident(
                    reference=f"INC-2026-{n:04d}",
                    title=f"Incident {n}",
                    type=["security", "operational", "privacy"][n % 3],
                    severity=(n % 4) + 1,
                    status=["triaged", "contained", "resolved", "closed"][n % 4],
                    reporter=people[n % 4],
                    assignee=people[(n + 1) % 4],
                    detected_at=now - dt.timedelta(days=n % 90, hours=3),
                    reported_at=now - dt.timedelta(days=n % 90),
                    resolved_at=now - dt.timedelta(days=n % 90) + dt.timedelta(hours=5) if n % 4 >= 2 else None,
                    personal_data_breach=n % 7 == 0,
                    affected=["VPN"],
                )
                for n in range(start, start + count)
            ]
        )
        CorrectiveAction.objects.bulk_create(
            [
                CorrectiveAction(
                    incident=incident,
                    title=f"Fix {incident.reference}",
                    owner=people[i % 4],
                    due_date=timezone.localdate() - dt.timedelta(days=i % 5 - 2),
                )
                for i, incident in enumerate(incidents)
            ]
        )


def _queries(client, path):
    client.get(path)  # warm caches of the session and the permission lookups
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


PATHS = [
    "/incidents/",
    "/incidents/?status=open&sort=severity",
    "/incidents/?q=Incident&type=security&breach=no&mine=on",
    "/incidents/dashboard/",
    "/incidents/dashboard/?type=privacy&date_from=2026-01-01",
]


def test_query_counts_do_not_grow_with_the_number_of_incidents(acme):
    handler = acme.logged_in_client(acme.operations)
    reader = acme.logged_in_client(acme.management)
    staff = acme.logged_in_client(acme.staff)
    _add(acme, 1, 10)
    small = {path: _queries(handler, path) for path in PATHS}
    small_reader = _queries(reader, "/incidents/dashboard/")
    small_staff = _queries(staff, "/incidents/")
    _add(acme, 11, 110)
    assert {path: _queries(handler, path) for path in PATHS} == small
    assert _queries(reader, "/incidents/dashboard/") == small_reader
    assert _queries(staff, "/incidents/") == small_staff
    page = handler.get("/incidents/").content.decode()
    assert "120 incidents" in page and "Page 1 of 3" in page
