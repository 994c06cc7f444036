"""Section (d) of the management review agenda: incidents and corrective actions since the previous review."""

import datetime as dt

from django.utils import timezone
from django_tenants.utils import schema_context

from incidents import services
from incidents.feeds import corrective_actions_for_review, incidents_for_review
from incidents.models import Incident
from reviews import feeds


def test_the_feeds_are_registered_in_section_d_under_stable_keys():
    keys = [feed.key for feed in feeds.feeds_for("d")]
    assert "incidents" in keys and "corrective_actions" in keys
    assert keys.index("incidents") < keys.index("corrective_actions")


def _rows(figures):
    return dict(figures["rows"])


def test_incident_figures_count_by_type_severity_breach_and_open(acme, make_incident):
    today = timezone.localdate()
    old = make_incident(title="Before the last review", status="closed")
    with schema_context("acme"):
        Incident.objects.filter(pk=old.pk).update(reported_at=timezone.now() - dt.timedelta(days=100))
    make_incident(title="Phishing", status="resolved")  # severity 2, security
    make_incident(title="Disk full", type="operational", status="triaged")
    breach = make_incident(title="Wrong recipient", type="privacy")
    with schema_context("acme"):
        services.incident_breach_update(incident=breach, by=acme.security, personal_data_breach=True)
        figures = incidents_for_review(today - dt.timedelta(days=30), today)
        first_review = incidents_for_review(None, today)
    rows = _rows(figures)
    assert rows["Incidents since the previous review"] == 3
    assert (rows["Security"], rows["Operational"], rows["Privacy"]) == (1, 1, 1)
    assert rows["Severity 2 – High"] == 2 and rows["Severity not yet set"] == 1
    assert rows["Open now"] == 2  # triaged + reported (the resolved and the closed ones are not open)
    assert rows["Personal-data breaches"] == 1
    assert isinstance(rows["Mean time to resolve (hours)"], float)
    assert all(link.startswith("/incidents/") for _text, link in figures["items"])
    assert len(figures["items"]) == 3 and not any("Before the last review" in text for text, _ in figures["items"])
    assert _rows(first_review)["Incidents since the previous review"] == 4


def test_corrective_action_figures(acme, make_incident):
    today = timezone.localdate()
    incident = make_incident(status="triaged", assignee=acme.operations)
    with schema_context("acme"):
        late = services.action_add(
            incident=incident,
            by=acme.operations,
            title="Patch VPN",
            owner=acme.security,
            due_date=today - dt.timedelta(days=3),
        )
        services.action_add(
            incident=incident,
            by=acme.operations,
            title="Train staff",
            owner=acme.staff,
            due_date=today + dt.timedelta(days=9),
        )
        done = services.action_add(
            incident=incident, by=acme.operations, title="Block sender", owner=acme.security, due_date=today
        )
        services.action_status_set(action=done, by=acme.security, status="done")
        figures = corrective_actions_for_review(today - dt.timedelta(days=30), today)
    assert _rows(figures) == {"Open corrective actions": 2, "Overdue": 1, "Closed since the previous review": 1}
    assert figures["items"][0][0].startswith(f"{incident.reference}: Patch VPN")
    assert "(overdue)" in figures["items"][0][0]
    assert figures["items"][0][1] == incident.get_absolute_url()
    assert late.is_overdue(today)
