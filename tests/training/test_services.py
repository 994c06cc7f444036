"""Onboarding on joining, taking a module (quiz, acknowledgement, completion), new policy versions, renewals,
reminders: what the people and the CISO notice."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts import services as account_services
from accounts.models import User
from audit.models import AuditEvent
from notifications.models import Notification
from notifications.services import reminders_run
from policies.models import Acknowledgement
from training import selectors, services
from training.models import Assignment, Attempt, Completion, TrainingSettings, months_after

from .conftest import right_answers, wrong_answers


def _join(acme, email="newcomer@acme.example", roles=("Staff",)) -> User:
    """The real invitation flow: the Admin invites, the person accepts with a password."""
    with schema_context("acme"):
        _invitation, link = account_services.invitation_create(
            by=acme.admin, email=email, roles=list(roles), full_name="Nina Newcomer", host=acme.host
        )
        token = link.rstrip("/").rsplit("/", 1)[-1]
        return account_services.invitation_accept(token=token, full_name="Nina Newcomer", password="x-Long-pass-42")


def _open(user) -> list[str]:
    with schema_context("acme"):
        return sorted(a.subject for a in Assignment.objects.filter(user=user, status="open"))


def test_accepting_an_invitation_assigns_the_onboarding_set_due_after_the_tenant_setting(
    acme, make_policy, make_module
):
    policy = make_policy()
    make_policy(title="Personal-data handling", onboarding=True, audience=["Operations"])
    make_policy(title="Acceptable use", onboarding=False)
    make_module(policies=[policy])
    make_module(title="Operations runbook", audience=["Operations"])
    make_module(title="Phishing awareness", onboarding=False, validity_months=12)
    with schema_context("acme"):
        services.settings_update(by=acme.ciso, onboarding_due_days=10)

    newcomer = _join(acme)

    with schema_context("acme"):
        assignments = list(Assignment.objects.filter(user=newcomer).order_by("pk"))
        assert sorted(a.subject for a in assignments) == [
            "Acknowledge IT security policy version 1",
            "Security onboarding",
        ]
        assert {a.due_date for a in assignments} == {timezone.localdate() + dt.timedelta(days=10)}
        assert {a.reason for a in assignments} == {"onboarding"}
        event = AuditEvent.objects.filter(action="training.settings_changed").get()
        assert event.changes == {"onboarding_due_days": [14, 10]}


def test_default_onboarding_time_is_14_days_and_consultants_get_their_set(acme, make_policy, make_module):
    make_policy()
    make_module(title="Security onboarding")  # everyone
    make_module(title="Consultant onboarding", audience=["External"])
    make_module(title="Staff handbook", audience=["Staff"])
    consultant = _join(acme, email="consultant@acme.example", roles=("External",))
    assert _open(consultant) == [
        "Acknowledge IT security policy version 1",
        "Consultant onboarding",
        "Security onboarding",
    ]
    with schema_context("acme"):
        assert TrainingSettings.current().onboarding_due_days == 14
        due = {a.due_date for a in Assignment.objects.filter(user=consultant)}
    assert due == {timezone.localdate() + dt.timedelta(days=14)}


def test_completing_the_onboarding_set_updates_the_compliance_figures(acme, make_policy, make_module):
    policy = make_policy()
    module = make_module(policies=[policy])
    newcomer = _join(acme)
    with schema_context("acme"):
        before = selectors.compliance()
        row = next(r for r in before.people if r.person.pk == newcomer.pk)
        assert (row.tally.done, row.tally.total, row.tally.percent) == (0, 2, 0)
        version = services.versions_to_acknowledge(module, newcomer)[0]

    with schema_context("acme"):
        services.attempt_submit(user=newcomer, module=module, answers=right_answers(module))
        completion = services.module_complete(user=newcomer, module=module, acknowledged=[version])
        after = selectors.compliance()
    row = next(r for r in after.people if r.person.pk == newcomer.pk)
    assert (row.tally.done, row.tally.total, row.tally.percent) == (2, 2, 100)
    assert after.overall.done - before.overall.done == 2
    assert next(t for t in after.modules if t.label == "Security onboarding").percent == 100
    assert after.onboarding_total == 1 and after.onboarding_on_time == 1
    with schema_context("acme"):
        assert completion.score == 100
        assert [v.number for v in completion.versions.all()] == [1]
        assert Acknowledgement.objects.filter(user=newcomer, version=version).exists()
        assert _open(newcomer) == []


def test_quiz_scoring_pass_mark_failed_attempts_recorded_and_retry(acme, make_module):
    module = make_module(pass_mark=75)  # four questions
    staff = acme.staff
    with schema_context("acme"):
        failed = services.attempt_submit(user=staff, module=module, answers=wrong_answers(module, 2))
        assert (failed.score, failed.passed) == (50, False)
        with pytest.raises(ValidationError, match="Pass the quiz first"):
            services.module_complete(user=staff, module=module, acknowledged=[])
        assert not Completion.objects.filter(user=staff).exists()

        passed = services.attempt_submit(user=staff, module=module, answers=wrong_answers(module, 1))
        assert (passed.score, passed.passed) == (75, True)  # exactly the pass mark passes
        completion = services.module_complete(user=staff, module=module, acknowledged=[])
        assert completion.score == 75
        attempts = list(Attempt.objects.filter(user=staff, module=module).order_by("pk"))
        assert [(a.score, a.passed) for a in attempts] == [(50, False), (75, True)]
        assert attempts[1].completion == completion and attempts[0].completion is None
        assert AuditEvent.objects.filter(action="training.quiz_failed", actor=staff).count() == 1


def test_a_question_is_right_only_with_exactly_its_correct_answers(acme, make_module):
    module = make_module(pass_mark=100)
    answers = right_answers(module)
    with schema_context("acme"):
        two_correct = next(q for q in module.questions.prefetch_related("options") if len(answers[q.pk]) == 2)
        answers[two_correct.pk] = answers[two_correct.pk][:1]  # one of two correct answers ticked
        attempt = services.attempt_submit(user=acme.staff, module=module, answers=answers)
    assert (attempt.score, attempt.passed) == (75, False)


def test_unanswered_questions_are_refused_and_nothing_is_recorded(acme, make_module):
    module = make_module()
    answers = right_answers(module)
    answers.pop(next(iter(answers)))
    with schema_context("acme"):
        with pytest.raises(ValidationError, match="Answer every question"):
            services.attempt_submit(user=acme.staff, module=module, answers=answers)
        assert not Attempt.objects.exists()


def test_completion_needs_every_linked_version_acknowledged(acme, make_policy, make_module):
    policy = make_policy()
    module = make_module(policies=[policy], quiz="")
    with schema_context("acme"):
        with pytest.raises(ValidationError, match="IT security policy"):
            services.module_complete(user=acme.staff, module=module, acknowledged=[])
        assert not Completion.objects.exists() and not Acknowledgement.objects.filter(user=acme.staff).exists()


def test_a_module_outside_ones_audience_cannot_be_taken(acme, make_module):
    module = make_module(audience=["Operations"], quiz="")
    with schema_context("acme"), pytest.raises(PermissionDenied):
        services.module_complete(user=acme.staff, module=module, acknowledged=[])


def test_new_policy_version_reassigns_and_the_old_acknowledgement_shows_its_version(
    acme, make_policy, make_module, publish
):
    policy = make_policy()
    module = make_module(policies=[policy], quiz="")
    staff = acme.staff
    with schema_context("acme"):
        v1 = services.versions_to_acknowledge(module, staff)[0]
        services.module_complete(user=staff, module=module, acknowledged=[v1])
        # Publishing v1 asked everyone to acknowledge it; operations never did.
        assert _open(acme.operations) == ["Acknowledge IT security policy version 1"]

    v2 = publish(policy, body="# IT security policy\n\nNow with passkeys.", summary="Passkeys")

    assert _open(staff) == ["Acknowledge IT security policy version 2"]
    assert _open(acme.operations) == ["Acknowledge IT security policy version 2"]
    with schema_context("acme"):
        old = Acknowledgement.objects.select_related("version").get(user=staff)
        assert old.version.number == 1 and old.version.status == "retired"
        superseded = Assignment.objects.get(user=acme.operations, version=v1)
        assert superseded.status == "superseded"
        record = selectors.person_record(staff)
        assert [(a.version.policy.title, a.version.number) for a in record.acknowledgements] == [
            ("IT security policy", 1)
        ]
        assert [v.number for v in record.completions[0].acknowledged] == [1]  # type: ignore[attr-defined]  # Prefetch(to_attr=...) of the selector; not on the model type
        # Compliance counts staff's policy duty as open again until v2 is acknowledged.
        figures = selectors.compliance()
        assert next(t for t in figures.policies if t.label == "IT security policy").done == 0

        assignment = Assignment.objects.get(user=staff, version=v2)
        services.version_acknowledge(user=staff, assignment=assignment)
        assert sorted(Acknowledgement.objects.filter(user=staff).values_list("version__number", flat=True)) == [1, 2]
        assert _open(staff) == []


def test_acknowledging_on_the_policy_page_closes_the_assignment(acme, make_policy):
    from policies import services as policy_services

    policy = make_policy()
    with schema_context("acme"):
        version = policy.versions.get(status="published")
        # Publishing asked everyone in the audience to acknowledge it.
        assert Assignment.objects.get(user=acme.staff, version=version).status == "open"
        policy_services.policy_acknowledge(user=acme.staff, version=version)
        assignment = Assignment.objects.get(user=acme.staff, version=version)
        assert assignment.status == "done" and assignment.acknowledgement is not None


def test_a_completion_expires_after_its_validity_and_the_module_is_due_again(acme, make_module):
    module = make_module(title="Phishing awareness", onboarding=False, validity_months=12, quiz="")
    with schema_context("acme"):
        completion = services.module_complete(user=acme.staff, module=module, acknowledged=[])
        today = timezone.localdate()
        assert completion.expires_on == months_after(today, 12)
        assert services.renewals_assign(today=today) == 0
        assert completion.expires_on is not None
        soon = completion.expires_on - dt.timedelta(days=10)
        assert services.renewals_assign(today=soon) == 1
        assert services.renewals_assign(today=soon) == 0  # once
        renewal = Assignment.objects.get(user=acme.staff, module=module, status="open")
        assert (renewal.reason, renewal.due_date) == ("renewal", completion.expires_on)
        later = completion.expires_on + dt.timedelta(days=1)
        duty = next(d for d in selectors.duties(later) if d.user_id == acme.staff.pk)
        assert (duty.done, duty.overdue) == (False, True)


def test_reminders_before_and_after_the_due_date_are_sent_once_each(acme, make_module, mailoutbox, tasks_run_at_once):
    module = make_module(quiz="")
    with schema_context("acme"):
        due = timezone.localdate() + dt.timedelta(days=10)
        assert services.module_assign(module=module, by=acme.ciso, due_date=due) > 0

        def mine():
            return list(
                Notification.objects.filter(user=acme.staff, kind="training_due")
                .order_by("pk")
                .values_list("title", flat=True)
            )

        reminders_run(due - dt.timedelta(days=5))
        assert mine() == []
        reminders_run(due - dt.timedelta(days=3))
        reminders_run(due - dt.timedelta(days=1))
        assert mine() == [f"Due on {due}: Security onboarding"]
        reminders_run(due + dt.timedelta(days=1))
        reminders_run(due + dt.timedelta(days=2))
        assert mine() == [f"Due on {due}: Security onboarding", f"Overdue since {due}: Security onboarding"]
        # Done: no more reminders.
        services.module_complete(user=acme.operations, module=module, acknowledged=[])
        count = Notification.objects.filter(user=acme.operations, kind="training_due").count()
        reminders_run(due + dt.timedelta(days=3))
        assert Notification.objects.filter(user=acme.operations, kind="training_due").count() == count


def test_module_validation_refuses_bad_quizzes(acme):
    from training.quiz import QuestionData

    with schema_context("acme"):
        for questions in (
            [QuestionData("One option only", [("Yes", True)])],
            [QuestionData("No correct one", [("A", False), ("B", False)])],
            [QuestionData("", [("A", True), ("B", False)])],
        ):
            with pytest.raises(ValidationError):
                services.module_create(by=acme.ciso, title="Broken", content="x", questions=questions)
        with pytest.raises(PermissionDenied):
            services.module_create(by=acme.staff, title="Mine", content="x")
        from training.models import Module

        assert not Module.objects.exists()


def test_review_feed_reports_completion_overdue_and_onboarding(acme, make_policy, make_module):
    from reviews import feeds

    policy = make_policy()
    module = make_module(policies=[policy], quiz="")
    newcomer = _join(acme)
    feed = next(feed for feed in feeds.FEEDS if feed.key == "training")
    assert feed.section == "d"
    with schema_context("acme"):
        version = services.versions_to_acknowledge(module, newcomer)[0]
        services.module_complete(user=newcomer, module=module, acknowledged=[version])
        figures = feed.compute(None, timezone.localdate() + dt.timedelta(days=30))
    rows = dict(figures["rows"])
    # Publishing asked acme's eight people to acknowledge the policy (due in 14 days, overdue by then); the
    # newcomer did both of their duties: 2 of 10 done.
    assert rows["Training and acknowledgements completed"] == "20 %"
    assert rows["Overdue"] == 8
    assert rows["Onboarding completed within its due date"] == "1 / 1 (100 %)"


def test_publishing_costs_the_same_queries_for_few_and_many_people(acme, make_policy, publish):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    policy = make_policy(title="Few")
    with CaptureQueriesContext(connection) as few:
        publish(policy, body="v2")
    with schema_context("acme"):
        for n in range(40):
            account_services.user_create(email=f"many{n}@acme.example", roles=["Staff"])
    with CaptureQueriesContext(connection) as many:
        publish(policy, body="v3")
    assert len(many) == len(few)
    with schema_context("acme"):
        assert Assignment.objects.filter(version__policy=policy, version__number=3, status="open").count() == 48


def test_narrowing_a_policys_audience_withdraws_what_its_former_readers_could_no_longer_acknowledge(acme, make_policy):
    """Staff taken out of the audience cannot open or acknowledge the policy any more: their open
    acknowledgement must not stay on their list and in the compliance figures as overdue for ever.
    Operations, newly addressed, are asked to acknowledge the version in force."""
    from policies import services as policy_services

    policy = make_policy(audience=["Staff"])
    away = _join(acme, email="away@acme.example")
    assert _open(acme.staff) == _open(away) == ["Acknowledge IT security policy version 1"]
    assert _open(acme.operations) == []
    with schema_context("acme"):
        account_services.user_deactivate(user=away, by=acme.admin)
        policy_services.policy_update(policy=policy, by=acme.ciso, audience=["Operations"])
    assert _open(acme.staff) == []
    assert _open(away) == ["Acknowledge IT security policy version 1"]  # someone deactivated is left as they were
    assert _open(acme.operations) == ["Acknowledge IT security policy version 1"]
    with schema_context("acme"):
        assert Assignment.objects.get(user=acme.operations, status="open").reason == "assigned"
        assert {d.user_id for d in selectors.duties(timezone.localdate()) if d.kind == "policy"} == {acme.operations.pk}
        assert AuditEvent.objects.filter(action="training.acknowledgement_withdrawn").count() == 1


def test_a_role_change_withdraws_acknowledgements_no_longer_addressed_and_asks_for_the_new_ones(acme, make_policy):
    """Moved from Staff to Operations: the staff policy leaves their list (they can no longer open it, so it
    would stay overdue for ever); the operations policy in force is asked for."""
    make_policy(title="Staff handbook", audience=["Staff"], onboarding=True)
    make_policy(title="Operations runbook policy", audience=["Operations"], onboarding=False)
    person = _join(acme, email="mover@acme.example")
    assert _open(person) == ["Acknowledge Staff handbook version 1"]
    with schema_context("acme"):
        person = User.objects.get(pk=person.pk)
        account_services.user_roles_set(user=person, roles=["Operations"], by=acme.admin)
    assert _open(person) == ["Acknowledge Operations runbook policy version 1"]
    with schema_context("acme"):
        assert {d.label for d in selectors.duties(timezone.localdate()) if d.user_id == person.pk} == {
            "Operations runbook policy"
        }


def test_retiring_a_policy_without_a_successor_takes_its_acknowledgement_off_everyones_list(acme, make_policy):
    """A retired version cannot be acknowledged: its open assignments must not stay overdue for ever."""
    from policies import services as policy_services

    policy = make_policy()
    assert _open(acme.staff) == ["Acknowledge IT security policy version 1"]
    with schema_context("acme"):
        version = policy.versions.get(status="published")
        policy_services.policy_version_retire(version=version, by=acme.ciso)
        assert not [d for d in selectors.duties(timezone.localdate()) if d.kind == "policy"]
    assert _open(acme.staff) == []


def test_no_renewal_for_a_person_the_module_no_longer_addresses(acme, make_module):
    module = make_module(title="Admin hygiene", onboarding=False, validity_months=12, quiz="", audience=["Staff"])
    with schema_context("acme"):
        completion = services.module_complete(user=acme.staff, module=module, acknowledged=[])
        account_services.user_roles_set(user=acme.staff, roles=["Operations"], by=acme.admin)
        assert completion.expires_on is not None
        assert services.renewals_assign(today=completion.expires_on - dt.timedelta(days=10)) == 0
        assert not Assignment.objects.filter(user=acme.staff, module=module, status="open").exists()
