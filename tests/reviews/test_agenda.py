"""The agenda: each §9.3.2 section shows the portal's figures (live while planned, frozen once held)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from backups.models import BackupRecord, RestoreDrill
from incidents import services as incident_services
from objectives import services as objective_services
from reviews import feeds, services
from reviews.models import ActionItem, ReviewMeeting
from risks import analyses
from risks.models import TreatmentAction


def section(html: str, letter: str) -> str:
    start = html.index(f'id="section-{letter}"')
    return html[start : html.index("</section>", start)]


def figure(html: str, label: str) -> str:
    """The value beside ``label`` in a feed's figures table."""
    match = re.search(rf"<th scope=\"row\">{re.escape(label)}</th><td>(.*?)</td>", html)
    assert match, f"{label!r} not shown"
    return match.group(1)


def feed(section_html: str, title: str) -> str:
    """One feed's block within a section (feeds of other apps may use the same row labels)."""
    start = section_html.index(f'agenda-feed__title">{title}</h4>')
    end = section_html.find('<div class="agenda-feed">', start)
    return section_html[start : end if end != -1 else None]


def agenda_page(acme, meeting: ReviewMeeting, person=None) -> str:
    response = acme.logged_in_client(person or acme.management).get(f"/reviews/{meeting.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _signed_analysis(acme, name="2026 H1"):
    with schema_context("acme"):
        analysis = analyses.analysis_create(
            by=acme.ciso,
            name=name,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 6, 30),
            deadline=dt.date(2026, 6, 15),
        )
        analyses.analysis_start(analysis=analysis, by=acme.ciso)
        for review in analysis.reviews.all()[:1]:  # one of the risks reviewed: the agenda says so
            analyses.risk_review(
                review=review, by=acme.ciso, likelihood=review.likelihood_before, impact=review.impact_before
            )
        analyses.analysis_sign(analysis=analysis, by=acme.ciso)
        return analyses.analysis_sign(analysis=analysis, by=acme.management)


def _objective(acme, title, current):
    with schema_context("acme"):
        objective = objective_services.objective_create(by=acme.ciso, owner=acme.ciso, title=title, period="2026 H2")
        objective_services.key_result_add(
            objective=objective,
            by=acme.ciso,
            metric="Patched within 30 days",
            baseline=Decimal(0),
            target=Decimal(100),
            current=Decimal(current),
            unit="%",
        )
        return objective


def test_planned_review_shows_risks_objectives_backups_and_earlier_actions_in_their_sections(
    acme, make_risk, held_review, plan_review
):
    critical = make_risk(title="Ransomware", likelihood=5, impact=5)
    make_risk(title="Phishing", likelihood=3, impact=4)
    make_risk(title="Lost laptop", likelihood=1, impact=2)
    _signed_analysis(acme)
    with schema_context("acme"):
        today = timezone.localdate()
        TreatmentAction.objects.create(
            risk=critical, title="EDR", owner=acme.ciso, due_date=today - dt.timedelta(days=2)
        )
        TreatmentAction.objects.create(
            risk=critical, title="Backups", owner=acme.ciso, due_date=today + dt.timedelta(days=9)
        )
        TreatmentAction.objects.create(risk=critical, title="MFA", owner=acme.ciso, due_date=today, status="done")
    _objective(acme, "Patch faster", current=90)  # on track
    _objective(acme, "Fewer phishing clicks", current=10)  # off track
    held_review(days=-60)
    with schema_context("acme"):
        stolen = incident_services.incident_report(by=acme.staff, title="Laptop stolen", description="On the train")
        incident_services.incident_report(by=acme.staff, title="Phishing mail", description="Clicked")
        incident_services.incident_report(by=acme.staff, title="Wrong recipient", description="", type="privacy")
        incident_services.incident_transition(incident=stolen, by=acme.operations, to="triaged", severity=1)
        incident_services.action_add(
            incident=stolen,
            by=acme.operations,
            title="Remote wipe",
            owner=acme.operations,
            due_date=today - dt.timedelta(days=1),
        )
        encrypt = incident_services.action_add(
            incident=stolen, by=acme.operations, title="Encrypt disks", owner=acme.operations, due_date=today
        )
        incident_services.action_status_set(action=encrypt, by=acme.operations, status="done")
    meeting = plan_review(title="Management review 2026 H2", days=0)

    html = agenda_page(acme, meeting)

    a = section(html, "a")
    assert figure(a, "Open actions") == "1"
    assert "Roll out FIDO2 keys" in a and "carried over from Management review 2026 H1" in a
    d = section(html, "d")
    incidents = feed(d, "Incidents")
    assert figure(incidents, "Incidents since the previous review") == "3"
    assert (figure(incidents, "Security"), figure(incidents, "Privacy")) == ("2", "1")
    assert figure(incidents, "Severity 1 – Critical") == "1"
    assert figure(incidents, "Severity not yet set") == "2"
    assert stolen.reference in incidents and "Laptop stolen" in incidents
    actions = feed(d, "Corrective actions")
    assert figure(actions, "Open corrective actions") == "1"
    assert figure(actions, "Overdue") == "1"
    assert figure(actions, "Closed since the previous review") == "1"
    assert "Remote wipe" in actions
    assert figure(d, "Security objectives") == "2"
    assert (figure(d, "On track"), figure(d, "At risk"), figure(d, "Off track")) == ("1", "0", "1")
    assert "No backups are recorded yet." in d
    f = section(html, "f")
    assert figure(f, "Latest signed-off risk analysis").startswith("2026 H1 (")
    assert figure(f, "Risks in the analysis") == "3"
    assert figure(f, "Risks reviewed in the analysis") == "1 of 3"
    assert (figure(f, "Risk level: Critical"), figure(f, "Risk level: High"), figure(f, "Risk level: Low")) == (
        "1",
        "1",
        "1",
    )
    assert (figure(f, "Treatment actions open"), figure(f, "Treatment actions overdue")) == ("2", "1")
    assert figure(f, "Treatment actions done") == "1"
    # Portal figures stay out of the sections that take text input.
    for letter in "bcg":
        assert "agenda-figures" not in section(html, letter)
    assert "Live figures" in html


def test_backups_and_restore_drill_against_rto_and_rpo(acme, plan_review):
    with schema_context("acme"):
        good = BackupRecord.objects.create(
            slot="2026-11-20", status="succeeded", object_name="a", finished_at=timezone.now() - dt.timedelta(hours=5)
        )
        BackupRecord.objects.create(slot="2026-11-21", status="failed", object_name="b")
        RestoreDrill.objects.create(
            backup=good, status="passed", restore_seconds=900, backup_age_seconds=30 * 3600, finished_at=timezone.now()
        )
    d = section(agenda_page(acme, plan_review(days=0)), "d")
    assert figure(d, "Failed backups since the last review") == "1"
    assert figure(d, "Restore time within RTO (4 h)") == "yes"
    assert figure(d, "Backup age within RPO (24 h)") == "no"  # the restored backup was 30 h old
    assert "Passed" in figure(d, "Last restore drill")


def test_open_actions_carry_over_to_every_next_review_until_closed(acme, held_review, plan_review):
    _first, action = held_review(days=-90)
    second = plan_review(title="Review two", days=-45)
    assert "Roll out FIDO2 keys" in section(agenda_page(acme, second), "a")
    with schema_context("acme"):
        services.review_hold(meeting=second, by=acme.ciso)
    third = plan_review(title="Review three", days=0)
    a = section(agenda_page(acme, third), "a")
    assert figure(a, "Open actions") == "1" and "Roll out FIDO2 keys" in a  # still open: carried again

    with schema_context("acme"):
        services.action_update(action=action, by=acme.operations, status="done")
    a = section(agenda_page(acme, third), "a")
    assert figure(a, "Open actions") == "0" and "Roll out FIDO2 keys" not in a
    assert figure(a, "Closed since the last review") == "1"
    # The review held while it was open keeps saying so.
    assert "Roll out FIDO2 keys" in section(agenda_page(acme, second), "a")


def test_an_action_from_the_same_review_is_not_its_own_carry_over(acme, held_review):
    meeting, _action = held_review(days=-1)
    with schema_context("acme"):
        assert meeting.snapshot["feeds"][0]["figures"]["rows"][0][1] == 0  # no earlier actions when held


def test_held_review_snapshot_does_not_change_when_data_changes(acme, make_risk, held_review, plan_review):
    _earlier, action = held_review(days=-60)
    make_risk(title="Ransomware", likelihood=5, impact=5)
    _signed_analysis(acme)
    _objective(acme, "Patch faster", current=90)
    meeting = plan_review(title="Held one", days=0)
    with schema_context("acme"):
        services.review_hold(meeting=meeting, by=acme.ciso)
        frozen = ReviewMeeting.objects.get(pk=meeting.pk).snapshot
    before = [section(agenda_page(acme, meeting), letter) for letter in "adf"]

    # Everything the agenda reported moves on afterwards.
    _objective(acme, "Another objective", current=10)
    make_risk(title="Supplier bankrupt", likelihood=2, impact=2)
    _signed_analysis(acme, name="2026 H2")
    with schema_context("acme"):
        services.action_update(action=action, by=acme.ciso, status="done")
        BackupRecord.objects.create(slot="x", status="succeeded", object_name="x", finished_at=timezone.now())

    after = [section(agenda_page(acme, meeting), letter) for letter in "adf"]
    assert after == before
    with schema_context("acme"):
        assert ReviewMeeting.objects.get(pk=meeting.pk).snapshot == frozen
    assert figure(before[2], "Latest signed-off risk analysis").startswith("2026 H1")
    assert figure(before[1], "Security objectives") == "1"
    assert "Figures frozen when the review was held" in agenda_page(acme, meeting)
    # A later review does see the new data.
    later = agenda_page(acme, plan_review(title="Later", days=0))
    assert figure(section(later, "f"), "Latest signed-off risk analysis").startswith("2026 H2")


def test_the_frozen_snapshot_cannot_be_overwritten(acme, held_review):
    meeting, _action = held_review()
    with schema_context("acme"):
        meeting.snapshot = {"feeds": []}
        with pytest.raises(ValueError):
            meeting.save()


def test_feeds_of_other_apps_render_without_the_agenda_knowing_them(acme, plan_review, monkeypatch):
    extra = feeds.Feed(
        section="d",
        key="training_test",
        title="Training completion",
        compute=lambda since, until: {
            "rows": [["Onboarding completed", "17 of 20"]],
            "items": [["Stina Falk — overdue", "/training/"]],
            "note": "Three people are overdue.",
        },
    )
    monkeypatch.setattr(feeds, "FEEDS", [*feeds.FEEDS, extra])
    meeting = plan_review(days=0)
    d = section(agenda_page(acme, meeting), "d")
    assert "Training completion" in d and figure(d, "Onboarding completed") == "17 of 20"
    assert '<a href="/training/">Stina Falk — overdue</a>' in d and "Three people are overdue." in d
    with schema_context("acme"):
        held = services.review_hold(meeting=meeting, by=acme.ciso)
        assert any(entry["key"] == "training_test" for entry in held.snapshot["feeds"])


def test_text_sections_take_input_while_planned(acme, plan_review):
    meeting = plan_review(days=0)
    client = acme.logged_in_client(acme.security)
    response = client.post(f"/reviews/{meeting.pk}/sections/b/", {"text": "NIS2 now applies to us."})
    assert response.status_code == 302
    assert "NIS2 now applies to us." in section(agenda_page(acme, meeting), "b")
    with schema_context("acme"):
        assert ActionItem.objects.count() == 0
