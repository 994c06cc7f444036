"""The management view: open incidents by severity and age, incidents per month by type (SVG), mean time to
resolve, overdue corrective actions; filters by period and type; printable."""

import datetime as dt
import re

from django.utils import timezone
from django_tenants.utils import schema_context

from incidents import services
from incidents.models import Incident


def test_the_management_view_shows_the_figures(acme, make_incident):
    today = timezone.localdate()
    now = timezone.now()
    make_incident(title="Old open one", status="triaged", detected_at=now - dt.timedelta(days=40))  # severity 2
    make_incident(title="Fresh report")  # not yet assessed, under a day
    resolved = make_incident(
        title="Quick fix", type="operational", status="resolved", detected_at=now - dt.timedelta(hours=10)
    )
    with schema_context("acme"):
        Incident.objects.filter(pk=resolved.pk).update(resolved_at=now - dt.timedelta(hours=4))  # 6 h to resolve
        services.action_add(
            incident=resolved,
            by=acme.operations,
            title="Add disk alarm",
            owner=acme.operations,
            due_date=today - dt.timedelta(days=2),
        )
    page = acme.logged_in_client(acme.management).get("/incidents/dashboard/").content.decode()
    figures = dict(re.findall(r"<p>([^<]+)</p><strong class=\"inc-figure\">([^<]+)</strong>", page))
    assert figures == {
        "Reported in the period": "3",
        "Open now": "2",
        "Mean time to resolve": "6.0 h",
        "Personal-data breaches": "0",
    }
    # Severity 2 row: one open incident, over 30 days old; the unassessed one under a day.
    assert re.search(
        r"2 – High</span></th>(<td><span class=\"muted\">0</span></td>){3}<td>1</td>",
        page,
    )
    assert re.search(r"Not yet assessed</th><td>1</td>", page)
    assert "<svg" in page and 'fill="#d98a1c"' in page  # an operational bar
    assert "Add disk alarm" in page and "Overdue corrective actions" in page
    assert "inc-print-only" in page  # the print stylesheet shows when it was printed

    privacy_only = acme.logged_in_client(acme.management).get("/incidents/dashboard/?type=privacy").content.decode()
    assert "Add disk alarm" not in privacy_only
    assert "None: every corrective action is on time." in privacy_only


def test_a_period_that_ends_before_it_starts_is_refused(acme):
    page = (
        acme.logged_in_client(acme.auditor)
        .get("/incidents/dashboard/?date_from=2026-05-01&date_to=2026-01-01")
        .content.decode()
    )
    assert "The period must start before it ends." in page


def test_a_period_beyond_sensible_dates_is_refused_not_drawn(acme):
    client = acme.logged_in_client(acme.management)
    for query in ("date_to=9999-12-31", "date_from=0001-01-01", "date_from=1000-01-01&date_to=2026-01-01"):
        response = client.get(f"/incidents/dashboard/?{query}")
        assert response.status_code == 200, query
        assert "Choose dates from the year 2000 up to a year from now." in response.content.decode(), query
        assert len(response.content) < 200_000, query  # the default twelve months, not a bar per month since year 1
