"""A review moves planned → held → minutes approved, and nothing else; each step is on the record."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.models import AuditEvent
from reviews import services
from reviews.models import AgendaSection, ReviewMeeting


def _actions(meeting: ReviewMeeting) -> list[str]:
    with schema_context("acme"):
        return list(
            AuditEvent.objects.filter(object_type="reviews.reviewmeeting", object_id=str(meeting.pk))
            .order_by("id")
            .values_list("action", flat=True)
        )


def test_planning_builds_one_agenda_section_per_input_a_to_g(acme, plan_review):
    meeting = plan_review()
    with schema_context("acme"):
        assert list(AgendaSection.objects.filter(meeting=meeting).values_list("section", flat=True)) == list("abcdefg")
        assert meeting.status == "planned"
    assert _actions(meeting) == ["review.planned"]


def test_planned_held_approved_each_audited_with_who(acme, plan_review):
    meeting = plan_review()
    with schema_context("acme"):
        meeting = services.review_hold(meeting=meeting, by=acme.ciso)
        assert meeting.status == "held" and meeting.held_by == acme.ciso
        meeting = services.review_approve(meeting=meeting, by=acme.management)
        assert meeting.status == "approved" and meeting.approved_by == acme.management
        events = AuditEvent.objects.filter(object_id=str(meeting.pk), object_type="reviews.reviewmeeting")
        assert events.get(action="review.held").actor_label == acme.ciso.email
        assert events.get(action="review.minutes_approved").actor_label == acme.management.email
    assert _actions(meeting) == ["review.planned", "review.held", "review.minutes_approved"]


def test_only_allowed_transitions(acme, plan_review):
    meeting = plan_review()
    with schema_context("acme"):
        with pytest.raises(ValidationError):  # planned → approved skips holding
            services.review_approve(meeting=meeting, by=acme.management)
        services.review_hold(meeting=meeting, by=acme.ciso)
        with pytest.raises(ValidationError):  # held twice
            services.review_hold(meeting=meeting, by=acme.ciso)
        services.review_approve(meeting=meeting, by=acme.management)
        with pytest.raises(ValidationError):  # approved twice
            services.review_approve(meeting=meeting, by=acme.management)
        with pytest.raises(PermissionDenied):  # approved minutes are final
            services.decision_add(
                meeting=ReviewMeeting.objects.get(pk=meeting.pk), by=acme.ciso, kind="improvement", text="Late"
            )
        assert ReviewMeeting.objects.get(pk=meeting.pk).status == "approved"
    assert _actions(meeting).count("review.minutes_approved") == 1


def test_a_review_cannot_be_held_before_its_date(acme, plan_review):
    meeting = plan_review(days=5)
    with schema_context("acme"), pytest.raises(ValidationError):
        services.review_hold(meeting=meeting, by=acme.ciso)
    with schema_context("acme"):
        assert ReviewMeeting.objects.get(pk=meeting.pk).status == "planned"


@pytest.mark.parametrize("role", ["management", "auditor", "operations", "staff", "external", "admin"])
def test_only_ciso_and_security_plan_and_hold(acme, plan_review, role):
    person = getattr(acme, role)
    with schema_context("acme"), pytest.raises(PermissionDenied):
        services.review_plan(by=person, title="X", date=timezone.localdate(), chair=person)
    meeting = plan_review()
    with schema_context("acme"), pytest.raises(PermissionDenied):
        services.review_hold(meeting=meeting, by=person)


@pytest.mark.parametrize("role", ["ciso", "security", "auditor", "operations", "staff"])
def test_only_management_approves_the_minutes(acme, held_review, role):
    meeting, _action = held_review()
    with schema_context("acme"), pytest.raises(PermissionDenied):
        services.review_approve(meeting=meeting, by=getattr(acme, role))


def test_minutes_only_while_held_and_agenda_input_only_while_planned(acme, plan_review):
    meeting = plan_review()
    with schema_context("acme"):
        section = AgendaSection.objects.get(meeting=meeting, section="b")
        services.section_update(section=section, by=acme.security, input="NIS2 applies to us")
        with pytest.raises(ValidationError):
            services.section_update(section=section, by=acme.security, notes="too early")
        with pytest.raises(ValidationError):
            services.decision_add(meeting=meeting, by=acme.ciso, kind="improvement", text="too early")
        meeting = services.review_hold(meeting=meeting, by=acme.ciso)
        section = AgendaSection.objects.select_related("meeting").get(meeting=meeting, section="b")
        with pytest.raises(ValidationError):
            services.section_update(section=section, by=acme.security, input="changed after the fact")
        services.section_update(section=section, by=acme.security, notes="Legal to assess by March")
        section.refresh_from_db()
        assert (section.input, section.notes) == ("NIS2 applies to us", "Legal to assess by March")


def test_the_date_of_a_held_review_cannot_change(acme, held_review):
    meeting, _action = held_review()
    with schema_context("acme"), pytest.raises(ValidationError):
        services.review_update(meeting=meeting, by=acme.ciso, date=meeting.date - dt.timedelta(days=1))


def test_transition_pages_confirm_before_acting(acme, plan_review):
    meeting = plan_review()
    client = acme.logged_in_client(acme.ciso)
    page = client.get(f"/reviews/{meeting.pk}/hold/")
    assert page.status_code == 200 and "Mark as held" in page.content.decode()
    with schema_context("acme"):
        assert ReviewMeeting.objects.get(pk=meeting.pk).status == "planned"  # a GET changes nothing
    assert client.post(f"/reviews/{meeting.pk}/hold/").status_code == 302
    assert acme.logged_in_client(acme.ciso).get(f"/reviews/{meeting.pk}/hold/").status_code == 404  # not twice
    management = acme.logged_in_client(acme.management)
    assert management.post(f"/reviews/{meeting.pk}/approve/").status_code == 302
    with schema_context("acme"):
        assert ReviewMeeting.objects.get(pk=meeting.pk).status == "approved"
    assert management.post(f"/reviews/{meeting.pk}/approve/").status_code == 404


def test_holding_a_future_review_is_refused_with_a_message(acme, plan_review):
    meeting = plan_review(days=3)
    response = acme.logged_in_client(acme.ciso).post(f"/reviews/{meeting.pk}/hold/")
    assert response.status_code == 400
    assert "on or after its date" in response.content.decode()


def test_a_review_date_out_of_range_is_a_form_error_not_a_broken_agenda(acme):
    client = acme.logged_in_client(acme.ciso)
    for day in ("9999-12-31", "0001-01-01"):
        response = client.post(
            "/reviews/new/",
            {"title": f"Review {day}", "date": day, "chair": acme.management.pk, "attendees": [acme.ciso.pk]},
        )
        assert response.status_code == 200, day
        assert "Choose a date from the year 2000 up to five years ahead." in response.content.decode()
    with schema_context("acme"):
        assert not ReviewMeeting.objects.exists()


def test_an_owner_cannot_drop_a_review_action_alone_but_the_minute_takers_can(acme, held_review):
    _meeting, action = held_review()
    page = acme.logged_in_client(acme.operations).get(action.get_absolute_url()).content.decode()
    assert 'value="done"' in page and 'value="dropped"' not in page
    response = acme.logged_in_client(acme.operations).post(action.get_absolute_url(), {"status": "dropped"})
    assert response.status_code == 400  # the choice is not offered: a form error, nothing written
    with schema_context("acme"):
        with pytest.raises(ValidationError):
            services.action_update(action=action, by=acme.operations, status="dropped")
        action.refresh_from_db()
        assert action.status == "open"
        services.action_update(action=action, by=acme.ciso, status="dropped")
        action.refresh_from_db()
        assert action.status == "dropped"
