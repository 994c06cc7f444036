"""The review pages: lists with search, pagination, empty states and exports; fixed query counts; minutes."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.models import AuditEvent
from incidents import services as incident_services
from objectives import services as objective_services
from reviews import services
from reviews.models import ActionItem, Decision, ReviewMeeting


def _many_reviews(acme, count: int, start: int = 0) -> None:
    with schema_context("acme"):
        for n in range(start, start + count):
            meeting = services.review_plan(
                by=acme.ciso,
                title=f"Review {n:03d}",
                date=timezone.localdate() - dt.timedelta(days=n + 1),
                chair=acme.management,
            )
            meeting = services.review_hold(meeting=meeting, by=acme.ciso)
            services.action_add(
                meeting=meeting, by=acme.ciso, title=f"Action {n:03d}", owner=acme.operations, due_date=meeting.date
            )


def test_empty_states(acme):
    client = acme.logged_in_client(acme.ciso)
    assert "No management reviews yet" in client.get("/reviews/").content.decode()
    assert "No action items" in client.get("/reviews/actions/").content.decode()
    assert "No team meetings recorded yet" in client.get("/reviews/team-meetings/").content.decode()
    assert "No reviews match" in client.get("/reviews/?q=nothing").content.decode()


def test_review_list_query_count_does_not_grow(acme):
    _many_reviews(acme, 3)
    client = acme.logged_in_client(acme.management)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/reviews/").status_code == 200
    _many_reviews(acme, 30, start=3)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/reviews/")
    assert response.content.decode().count("review-status--held") == 25  # one page
    assert "Page 1 of 2" in response.content.decode()
    assert len(many) == len(few)


def test_action_list_query_count_does_not_grow(acme):
    _many_reviews(acme, 3)
    client = acme.logged_in_client(acme.ciso)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/reviews/actions/").status_code == 200
    _many_reviews(acme, 60, start=3)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/reviews/actions/")
    assert response.content.decode().count("/reviews/actions/") >= 50
    assert len(many) == len(few)


def test_team_meeting_list_query_count_does_not_grow(acme):
    def record(count, start=0):
        with schema_context("acme"):
            for n in range(start, start + count):
                meeting = services.team_meeting_record(
                    by=acme.operations, date=timezone.localdate(), team=f"Team {n}", attendees=[acme.operations]
                )
                services.issue_raise(meeting=meeting, by=acme.operations, text=f"Issue {n}")

    record(3)
    client = acme.logged_in_client(acme.operations)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/reviews/team-meetings/").status_code == 200
    record(40, start=3)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/reviews/team-meetings/")
    assert "Page 1 of 2" in response.content.decode()
    assert len(many) == len(few)


def test_review_detail_query_count_does_not_grow_with_actions_and_decisions(acme, held_review):
    meeting, _action = held_review()
    client = acme.logged_in_client(acme.management)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/reviews/{meeting.pk}/")
    with schema_context("acme"):
        for n in range(20):
            services.decision_add(meeting=meeting, by=acme.ciso, kind="isms_change", text=f"Decision {n}")
            services.action_add(
                meeting=meeting, by=acme.ciso, title=f"More {n}", owner=acme.staff, due_date=meeting.date
            )
    with CaptureQueriesContext(connection) as many:
        client.get(f"/reviews/{meeting.pk}/")
    assert len(many) == len(few)


def test_search_and_status_filter(acme, held_review, plan_review):
    held_review(title="Spring review")
    plan_review(title="Autumn review", days=20)
    client = acme.logged_in_client(acme.auditor)
    page = client.get("/reviews/?status=planned").content.decode()
    assert "Autumn review" in page and "Spring review" not in page
    page = client.get("/reviews/?q=spring").content.decode()
    assert "Spring review" in page and "Autumn review" not in page
    actions = client.get("/reviews/actions/?status=not_closed&overdue=on").content.decode()
    assert "No action items match" in actions  # due in ten days: not overdue


def test_exports_are_formula_safe(acme, plan_review):
    plan_review(title='=HYPERLINK("http://evil")')
    response = acme.logged_in_client(acme.ciso).get("/reviews/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK" in response.content.decode()
    response = acme.logged_in_client(acme.ciso).get("/reviews/actions/?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_plan_form_errors_write_nothing(acme):
    client = acme.logged_in_client(acme.ciso)
    response = client.post("/reviews/new/", {"title": "", "date": "not a date", "chair": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "field--error" in page
    with schema_context("acme"):
        assert not ReviewMeeting.objects.exists()


def test_plan_through_the_page_then_write_minutes(acme):
    client = acme.logged_in_client(acme.ciso)
    response = client.post(
        "/reviews/new/",
        {
            "title": "Management review 2026",
            "date": timezone.localdate().isoformat(),
            "chair": acme.management.pk,
            "attendees": [acme.ciso.pk, acme.management.pk],
        },
    )
    assert response.status_code == 302
    with schema_context("acme"):
        meeting = ReviewMeeting.objects.get()
    assert client.post(f"/reviews/{meeting.pk}/hold/").status_code == 302
    assert client.post(f"/reviews/{meeting.pk}/sections/d/", {"text": "One phishing incident."}).status_code == 302
    response = client.post(f"/reviews/{meeting.pk}/decisions/", {"kind": "isms_change", "text": "FIDO2 for admins"})
    assert response.status_code == 302
    bad = client.post(f"/reviews/{meeting.pk}/actions/", {"title": "Roll out", "owner": "", "due_date": "tomorrow"})
    assert bad.status_code == 400 and "field--error" in bad.content.decode()
    ok = client.post(
        f"/reviews/{meeting.pk}/actions/",
        {"title": "Roll out FIDO2", "owner": acme.security.pk, "due_date": "2026-12-31"},
    )
    assert ok.status_code == 302
    minutes = client.get(f"/reviews/{meeting.pk}/minutes/").content.decode()
    for text in ("One phishing incident.", "FIDO2 for admins", "Roll out FIDO2", "Change to the ISMS", "Draft"):
        assert text in minutes
    with schema_context("acme"):
        assert ActionItem.objects.get().owner == acme.security
        actions = set(
            AuditEvent.objects.filter(object_id=str(meeting.pk), object_type="reviews.reviewmeeting").values_list(
                "action", flat=True
            )
        )
    assert {"review.planned", "review.held", "review.section_updated", "review.decision_added"} <= actions


def test_removing_a_decision_asks_first(acme, held_review):
    meeting, _action = held_review()
    with schema_context("acme"):
        decision = Decision.objects.get(meeting=meeting)
    client = acme.logged_in_client(acme.ciso)
    assert (
        "Remove this decision?" in client.get(f"/reviews/{meeting.pk}/decisions/{decision.pk}/remove/").content.decode()
    )
    with schema_context("acme"):
        assert Decision.objects.filter(pk=decision.pk).exists()
    client.post(f"/reviews/{meeting.pk}/decisions/{decision.pk}/remove/")
    with schema_context("acme"):
        assert not Decision.objects.filter(pk=decision.pk).exists()
        assert AuditEvent.objects.filter(action="review.decision_removed").exists()


def test_history_shows_the_transitions(acme, held_review):
    meeting, _action = held_review()
    page = acme.logged_in_client(acme.ciso).get(f"/reviews/{meeting.pk}/").content.decode()
    assert "review.held" in page and "review.planned" in page


def test_minutes_page_is_printable(acme, held_review):
    meeting, _action = held_review()
    page = acme.logged_in_client(acme.management).get(f"/reviews/{meeting.pk}/minutes/").content.decode()
    assert "css/reviews." in page  # the print stylesheet
    assert "Minutes: Management review 2026 H1" in page and "Weekly restore drills." in page
    assert "<script>" not in page and 'style="' not in page


def test_live_agenda_query_count_does_not_grow_with_the_data_it_reports(acme, held_review, plan_review):
    def more(n: int) -> None:
        with schema_context("acme"):
            for i in range(n):
                services.action_add(
                    meeting=earlier, by=acme.ciso, title=f"Carry {i}", owner=acme.staff, due_date=earlier.date
                )
                incident_services.incident_report(by=acme.staff, title=f"Incident {i}", description="")
                objective = objective_services.objective_create(
                    by=acme.ciso, owner=acme.ciso, title=f"Objective {i}", period="2026 H2"
                )
                objective_services.key_result_add(
                    objective=objective,
                    by=acme.ciso,
                    metric="m",
                    baseline=Decimal(0),
                    target=Decimal(10),
                    current=Decimal(5),
                )

    earlier, _action = held_review(days=-20)
    meeting = plan_review(days=0)
    client = acme.logged_in_client(acme.management)
    more(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/reviews/{meeting.pk}/").status_code == 200
    more(15)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/reviews/{meeting.pk}/")
    assert "Carry 14" in response.content.decode()
    assert len(many) == len(few)
