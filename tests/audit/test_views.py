"""The audit viewer at /audit/: who may read it, its filters, pages, CSV export and query count."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

import audit
from audit.keys import audit_key
from audit.models import AuditEvent

CSV_HEADER = [
    "id",
    "occurred_at",
    "kind",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "changes",
    "ip",
    "user_agent",
    "request_id",
    "method",
    "path",
    "status",
    "hash",
]


def backdated_event(schema: str, *, action: str, occurred_at: dt.datetime) -> AuditEvent:
    """An event as record() writes it, but at a past time (record always stamps now)."""
    with schema_context(schema):
        prev_hash = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        assert prev_hash is not None
        event = AuditEvent(
            action=action, actor_label="archivist@acme.example", occurred_at=occurred_at, prev_hash=prev_hash
        )
        event.hash = event.compute_hash(audit_key())
        event.save()
    return event


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def trail(acme) -> dict[str, AuditEvent]:
    """A few events of acme that differ in person, action, object and kind."""
    with schema_context("acme"):
        return {
            "ciso_change": audit.record(
                actor=acme.ciso,
                action="risk.accepted",
                object_type="risks.risk",
                object_id="41",
                object_label="Laptop theft",
                changes={"status": ["open", "accepted"]},
            ),
            "staff_change": audit.record(
                actor=acme.staff,
                action="incident.reported",
                object_type="incidents.incident",
                object_id="7",
                object_label="Phishing mail",
            ),
            "security": audit.record(
                actor=acme.security, action="policy.lockdown", object_label="Firewall", kind=AuditEvent.Kind.SECURITY
            ),
        }


# --- who may read it ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status",
    [
        ("admin", 200),
        ("ciso", 200),
        ("auditor", 200),
        ("security", 404),
        ("operations", 404),
        ("management", 404),
        ("staff", 404),
        ("external", 404),
    ],
)
def test_only_admin_ciso_and_auditor_can_read_the_trail(acme, trail, role, status):
    client = acme.logged_in_client(getattr(acme, role))
    page = client.get("/audit/")
    export = client.get("/audit/?format=csv")
    assert page.status_code == export.status_code == status
    if status == 404:
        assert "Laptop theft" not in page.content.decode()
    else:
        assert "Laptop theft" in page.content.decode()


def test_anonymous_visitor_is_sent_to_the_login(acme):
    response = acme.client().get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_unverified_ciso_must_pass_two_factor_first(acme, trail):
    response = acme.logged_in_client(acme.ciso, verified=False).get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/2fa/")


# --- what it shows and how it filters ----------------------------------------------------


def test_trail_shows_person_action_object_changes_and_origin(acme, trail):
    client = acme.logged_in_client(acme.ciso)
    client.get("/profile/", REMOTE_ADDR="192.0.2.44")
    body = client.get("/audit/?person=ciso@").content.decode()
    assert "risk.accepted" in body
    assert "Laptop theft" in body
    assert "status: open → accepted" in body
    assert "GET /profile/ → 200" in body
    assert "192.0.2.44" in body


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("person=ciso%40acme", ["ciso_change"], ["staff_change", "security"]),
        ("action=incident", ["staff_change"], ["ciso_change", "security"]),
        ("record=laptop", ["ciso_change"], ["staff_change", "security"]),
        ("record=incidents.incident", ["staff_change"], ["ciso_change", "security"]),
        ("record=41", ["ciso_change"], ["staff_change", "security"]),
        ("kind=security", ["security"], ["ciso_change", "staff_change"]),
        ("kind=change&person=staff", ["staff_change"], ["ciso_change", "security"]),
    ],
)
def test_filters_narrow_the_list(acme, trail, query, shown, hidden):
    body = acme.logged_in_client(acme.ciso).get(f"/audit/?{query}").content.decode()
    for name in shown:
        assert trail[name].action in body
    for name in hidden:
        assert trail[name].action not in body


def test_kind_filter_for_access_shows_page_views_only(acme, trail):
    client = acme.logged_in_client(acme.ciso)
    client.get("/profile/")
    body = client.get("/audit/?kind=access").content.decode()
    assert "GET /profile/ → 200" in body
    assert "risk.accepted" not in body


def test_date_range_shows_the_events_of_those_days(acme, trail):
    backdated_event("acme", action="archive.march", occurred_at=dt.datetime(2024, 3, 10, 12, tzinfo=dt.UTC))
    backdated_event("acme", action="archive.june", occurred_at=dt.datetime(2024, 6, 15, 12, tzinfo=dt.UTC))
    client = acme.logged_in_client(acme.ciso)

    body = client.get("/audit/?date_from=2024-06-01&date_to=2024-06-15").content.decode()
    assert "archive.june" in body
    assert "archive.march" not in body
    assert "risk.accepted" not in body

    body = client.get("/audit/?date_to=2024-03-10").content.decode()
    assert "archive.march" in body
    assert "archive.june" not in body

    body = client.get("/audit/?date_from=2024-06-16").content.decode()
    assert "risk.accepted" in body
    assert "archive.june" not in body


def test_end_date_before_start_date_is_a_form_error(acme, trail):
    response = acme.logged_in_client(acme.ciso).get("/audit/?date_from=2024-06-30&date_to=2024-06-01")
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


def test_date_that_is_no_date_is_a_form_error(acme, trail):
    response = acme.logged_in_client(acme.ciso).get("/audit/?date_from=yesterday")
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


def test_nothing_found_says_so(acme, trail):
    body = acme.logged_in_client(acme.ciso).get("/audit/?action=no-such-action").content.decode()
    assert "Nothing matches these filters." in body


# --- pages -------------------------------------------------------------------------------


def test_long_trail_is_paged_newest_first_keeping_the_filters(acme):
    with schema_context("acme"):
        for number in range(60):
            audit.record(actor=acme.admin, action=f"bulk.step-{number:02d}")
    client = acme.logged_in_client(acme.ciso)

    first = client.get("/audit/?action=bulk.step").content.decode()
    assert "Page 1 of 2" in first
    assert first.index("bulk.step-59") < first.index("bulk.step-58")
    assert all(f"bulk.step-{number:02d}" in first for number in range(10, 60))
    assert not any(f"bulk.step-{number:02d}" in first for number in range(10))
    assert 'href="?action=bulk.step&amp;page=2"' in first

    second = client.get("/audit/?action=bulk.step&page=2").content.decode()
    assert "Page 2 of 2" in second
    assert all(f"bulk.step-{number:02d}" in second for number in range(10))
    assert "bulk.step-10" not in second


# --- CSV export --------------------------------------------------------------------------


def test_csv_export_has_a_header_and_the_filtered_events_newest_first(acme, trail):
    response = acme.logged_in_client(acme.ciso).get("/audit/?person=%40acme&kind=change&format=csv")
    assert response.status_code == 200
    header, *rows = csv_rows(response)
    assert header == CSV_HEADER
    exported = [dict(zip(header, row, strict=True)) for row in rows]
    assert [row["action"] for row in exported] == ["incident.reported", "risk.accepted"]

    accepted = exported[1]
    event = trail["ciso_change"]
    assert accepted["id"] == str(event.pk)
    assert accepted["actor"] == "ciso@acme.example"
    assert (accepted["object_type"], accepted["object_id"], accepted["object_label"]) == (
        "risks.risk",
        "41",
        "Laptop theft",
    )
    assert "accepted" in accepted["changes"]
    assert accepted["hash"] == event.hash


def test_csv_export_of_a_long_trail_is_not_cut_at_a_page(acme):
    with schema_context("acme"):
        for number in range(60):
            audit.record(actor=acme.admin, action=f"bulk.step-{number:02d}")
    response = acme.logged_in_client(acme.ciso).get("/audit/?action=bulk.step&format=csv")
    _header, *rows = csv_rows(response)
    assert len(rows) == 60


def test_export_link_carries_the_filters(acme, trail):
    body = acme.logged_in_client(acme.ciso).get("/audit/?action=risk&kind=change").content.decode()
    assert 'href="?action=risk&amp;kind=change&amp;format=csv"' in body


# --- cost --------------------------------------------------------------------------------


def test_page_costs_the_same_queries_for_10_or_200_events(acme):
    client = acme.logged_in_client(acme.ciso)
    client.get("/audit/")

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/audit/").status_code == 200
        return len(queries)

    with schema_context("acme"):
        for number in range(10):
            audit.record(actor=acme.admin, action=f"bulk.step-{number}", changes={"n": [0, number]})
    with_10 = queries_for_page()
    with schema_context("acme"):
        for number in range(10, 200):
            audit.record(actor=acme.admin, action=f"bulk.step-{number}", changes={"n": [0, number]})
    with_200 = queries_for_page()
    assert with_10 == with_200


# --- tenancy -----------------------------------------------------------------------------


def test_another_tenants_events_are_not_in_the_viewer(acme, globex, trail):
    with schema_context("globex"):
        audit.record(actor=globex.ciso, action="merger.planned", object_label="Globex acquires Initech")
    client = acme.logged_in_client(acme.ciso)

    for query in ("", "?action=merger", "?person=globex", "?record=Initech"):
        assert "merger.planned" not in client.get(f"/audit/{query}").content.decode()
    exported = csv_rows(client.get("/audit/?format=csv"))
    assert not any("merger.planned" in row or "ciso@globex.example" in row for row in exported)

    assert "merger.planned" in globex.logged_in_client(globex.ciso).get("/audit/").content.decode()


def test_csv_export_cannot_carry_a_spreadsheet_formula(acme):
    acme.client().post(
        "/login/",
        {"username": '=HYPERLINK("http://evil.example","open me")', "password": "x"},
        HTTP_USER_AGENT="@SUM(1+9)*cmd|' /C calc'!A0",
    )
    _header, *rows = csv_rows(acme.logged_in_client(acme.ciso).get("/audit/?action=login_failed&format=csv"))
    assert rows
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@")]


def test_csv_export_with_an_invalid_filter_shows_the_error_instead_of_everything(acme):
    with schema_context("acme"):
        audit.record(actor=acme.ciso, action="risk.accepted")
        audit.record(actor=acme.staff, action="incident.reported")
    response = acme.logged_in_client(acme.ciso).get("/audit/?action=risk.accepted&kind=bogus&format=csv")
    assert not response.streaming
    assert "Select a valid choice." in response.content.decode()
