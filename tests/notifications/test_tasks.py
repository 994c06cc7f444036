"""The reminder job: the right people are notified of what is due, and e-mailed at most once a day per kind."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context

from notifications.models import Notification
from notifications.services import reminders_run
from risks import analyses
from risks.models import TreatmentAction
from sharing import services as sharing_services


def _due_items(acme, make_risk):
    """Something due of each kind in acme, plus one thing of each kind that is not due yet."""
    today = timezone.localdate()
    soon = make_risk(owner=acme.security, title="Soon reviewed", next_review=today + dt.timedelta(days=5))
    make_risk(owner=acme.security, title="Overdue review", next_review=today - dt.timedelta(days=1))
    make_risk(owner=acme.security, title="Reviewed later", next_review=today + dt.timedelta(days=30))
    with schema_context("acme"):
        TreatmentAction.objects.create(
            risk=soon, title="Roll out FIDO2", owner=acme.operations, due_date=today + dt.timedelta(days=2)
        )
        TreatmentAction.objects.create(
            risk=soon, title="Much later", owner=acme.operations, due_date=today + dt.timedelta(days=20)
        )
        TreatmentAction.objects.create(
            risk=soon,
            title="Done long ago",
            owner=acme.operations,
            due_date=today - dt.timedelta(days=9),
            status="done",
        )
        analyses.analysis_create(
            by=acme.ciso,
            name="2026 H2",
            period_start=today,
            period_end=today,
            deadline=today + dt.timedelta(days=10),
            participants=[acme.management],
        )
        analyses.analysis_create(
            by=acme.ciso, name="2027 H1", period_start=today, period_end=today, deadline=today + dt.timedelta(days=60)
        )
        sharing_services.share_grant(
            obj=soon, by=acme.ciso, user=acme.staff, expires_at=timezone.now() + dt.timedelta(days=2)
        )
        sharing_services.share_grant(
            obj=soon, by=acme.ciso, user=acme.auditor, expires_at=timezone.now() + dt.timedelta(days=30)
        )
    return soon


def test_each_kind_notifies_the_right_people_and_emails_one_digest_each(
    acme, make_risk, mailoutbox, django_capture_on_commit_callbacks
):
    soon = _due_items(acme, make_risk)
    with schema_context("acme"), django_capture_on_commit_callbacks(execute=True):
        assert reminders_run() == 6
        got = sorted(Notification.objects.values_list("user__email", "kind", "link"))
    assert got == sorted(
        [
            (acme.security.email, "risk_review", f"/risks/{soon.pk}/"),
            (acme.security.email, "risk_review", f"/risks/{soon.pk + 1}/"),
            (acme.operations.email, "treatment_action", f"/risks/{soon.pk}/"),
            (acme.management.email, "analysis_deadline", _analysis_link()),
            (acme.ciso.email, "analysis_deadline", _analysis_link()),
            (acme.staff.email, "share_expiring", f"/risks/{soon.pk}/"),
        ]
    )
    # One e-mail per person and kind: the two risk reviews of security come in one digest.
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [acme.security.email, acme.operations.email, acme.management.email, acme.ciso.email, acme.staff.email]
    )
    digest = next(message for message in mailoutbox if message.to == [acme.security.email])
    assert "Soon reviewed" in digest.body and "Overdue review" in digest.body


def _analysis_link() -> str:
    from risks.models import RiskAnalysis

    with schema_context("acme"):
        return RiskAnalysis.objects.get(name="2026 H2").get_absolute_url()


def test_running_twice_creates_and_sends_nothing_more(acme, make_risk, mailoutbox, django_capture_on_commit_callbacks):
    _due_items(acme, make_risk)
    with schema_context("acme"):
        with django_capture_on_commit_callbacks(execute=True):
            reminders_run()
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders_run() == 0
        assert Notification.objects.count() == 6
    assert len(mailoutbox) == 5


def test_at_most_one_email_a_day_per_kind_but_a_new_day_sends_again(
    acme, make_risk, mailoutbox, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    risk = make_risk(owner=acme.ciso)
    with schema_context("acme"):
        TreatmentAction.objects.create(risk=risk, title="First", owner=acme.operations, due_date=today)
        with django_capture_on_commit_callbacks(execute=True):
            reminders_run(today)
        TreatmentAction.objects.create(risk=risk, title="Second", owner=acme.operations, due_date=today)
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders_run(today) == 1
        assert len(mailoutbox) == 1
        TreatmentAction.objects.create(risk=risk, title="Third", owner=acme.operations, due_date=today)
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders_run(today + dt.timedelta(days=1)) == 1
    assert len(mailoutbox) == 2
    assert "Third" in mailoutbox[1].body and "Second" not in mailoutbox[1].body


def test_email_preference_off_still_notifies_but_sends_no_email(
    acme, make_risk, mailoutbox, django_capture_on_commit_callbacks
):
    risk = make_risk(owner=acme.ciso)
    # Unticking every box posts nothing at all: that must still save "no e-mail".
    client = acme.logged_in_client(acme.operations)
    assert client.post("/notifications/preferences/", {}).status_code == 302
    assert "checked" not in client.get("/notifications/preferences/").content.decode()
    with schema_context("acme"):
        TreatmentAction.objects.create(risk=risk, title="Patch", owner=acme.operations, due_date=timezone.localdate())
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders_run() == 1
        assert Notification.objects.filter(user=acme.operations, kind="treatment_action").exists()
    assert mailoutbox == []


def test_the_job_runs_hourly_for_every_tenant():
    assert settings.CELERY_BEAT_SCHEDULE["reminders-hourly"]["task"] == "notifications.tasks.reminders_dispatch"
