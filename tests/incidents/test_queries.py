"""The incident list and the management view cost the same number of queries for 10 or 120 incidents."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from incidents.models import CorrectiveAction, Incident


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
