"""The training pages as people use them: who reaches what, taking a module, the compliance view, exports."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts import services as account_services
from training import selectors, services
from training.models import Assignment, Attempt, Completion, Module, TrainingSettings

from .conftest import right_answers, wrong_answers

ROLES = ["admin", "ciso", "security", "operations", "management", "staff", "auditor", "external"]
EVERYONE = set(ROLES)
WRITERS = {"ciso", "security"}
COMPLIANCE = {"ciso", "management", "auditor"}


@pytest.fixture
def world(acme, make_policy, make_module):
    policy = make_policy()
    everyone = make_module(policies=[policy])
    operations_only = make_module(title="Operations runbook", audience=["Operations"], onboarding=False, quiz="")
    with schema_context("acme"):
        staff_task = Assignment.objects.get(user=acme.staff, version__policy=policy)
    return {"everyone": everyone, "operations_only": operations_only, "staff_task": staff_task}


def pages(acme, world) -> list[tuple[str, set[str]]]:
    return [
        ("/training/", EVERYONE),
        ("/training/modules/", WRITERS),
        ("/training/modules/?format=csv", WRITERS),
        ("/training/modules/new/", WRITERS),
        (f"/training/modules/{world['everyone'].pk}/", EVERYONE),
        (f"/training/modules/{world['everyone'].pk}/quiz/", EVERYONE),
        (f"/training/modules/{world['operations_only'].pk}/", WRITERS | {"operations"}),
        (f"/training/modules/{world['everyone'].pk}/edit/", WRITERS),
        (f"/training/assignments/{world['staff_task'].pk}/", COMPLIANCE | {"staff"}),
        ("/training/compliance/", COMPLIANCE),
        ("/training/compliance/?format=csv", COMPLIANCE),
        ("/training/compliance/?format=xlsx", COMPLIANCE),
        (f"/training/people/{acme.staff.pk}/", COMPLIANCE | {"staff"}),
        ("/training/settings/", {"admin", "ciso"}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_training_pages(acme, world, role):
    client = acme.logged_in_client(getattr(acme, role))
    outcomes = {path: client.get(path).status_code for path, _allowed in pages(acme, world)}
    assert outcomes == {path: 200 if role in allowed else 404 for path, allowed in pages(acme, world)}


def test_another_tenant_gets_404_for_every_training_record(acme, globex, world):
    client = globex.logged_in_client(globex.ciso)
    for path, _allowed in pages(acme, world):
        if any(str(n) in path for n in (world["everyone"].pk, world["staff_task"].pk)):
            assert client.get(path).status_code == 404, path
    # Ids repeat across tenants: the same number names globex's own person, never acme's.
    assert "Acme" not in client.get(f"/training/people/{acme.staff.pk}/").content.decode()
    with schema_context("globex"):
        assert not Module.objects.exists()


def test_staff_see_only_their_own_assignments_the_ciso_sees_everyones(acme, world):
    with schema_context("acme"):
        other = Assignment.objects.get(user=acme.operations, version=world["staff_task"].version)
    staff = acme.logged_in_client(acme.staff)
    body = staff.get("/training/").content.decode()
    assert f"/training/assignments/{world['staff_task'].pk}/" in body
    assert f"/training/assignments/{other.pk}/" not in body
    assert staff.get(f"/training/assignments/{other.pk}/").status_code == 404
    assert staff.get(f"/training/people/{acme.operations.pk}/").status_code == 404

    ciso = acme.logged_in_client(acme.ciso)
    assert ciso.get(f"/training/assignments/{other.pk}/").status_code == 200
    assert "Staff of Acme AB" in ciso.get(f"/training/people/{acme.staff.pk}/").content.decode()
    evidence = ciso.get("/training/compliance/?format=csv").content.decode()
    assert "staff@acme.example" in evidence and "operations@acme.example" in evidence


def test_taking_a_module_read_quiz_retry_acknowledge_and_compliance_shows_it(acme, world):
    module = world["everyone"]
    client = acme.logged_in_client(acme.staff)
    page = client.get(f"/training/modules/{module.pk}/").content.decode()
    assert "How we secure your data" in page and "I have read it: take the quiz" in page

    def post(answers):
        data = {f"q{q}": [str(o) for o in options] for q, options in answers.items()}
        return client.post(f"/training/modules/{module.pk}/quiz/", data)

    failed = post(wrong_answers(module, 2))
    assert failed.status_code == 200
    assert "You scored 50 %; the pass mark is 75 %." in failed.content.decode()
    assert client.get(f"/training/modules/{module.pk}/complete/").status_code == 302  # not yet

    passed = post(right_answers(module))
    assert passed.status_code == 302 and passed["Location"] == f"/training/modules/{module.pk}/complete/"
    step = client.get(passed["Location"]).content.decode()
    assert "I have read and understood IT security policy version 1" in step

    version = world["staff_task"].version
    refused = client.post(f"/training/modules/{module.pk}/complete/", {})
    assert refused.status_code == 200 and "Tick this to confirm." in refused.content.decode()
    with schema_context("acme"):
        assert not Completion.objects.exists()

    done = client.post(f"/training/modules/{module.pk}/complete/", {f"v{version.pk}": "on"})
    assert done.status_code == 302
    with schema_context("acme"):
        assert [(a.score, a.passed) for a in Attempt.objects.order_by("pk")] == [(50, False), (100, True)]
        assert Completion.objects.get(user=acme.staff).score == 100
        assert set(Assignment.objects.filter(user=acme.staff).values_list("status", flat=True)) == {"done"}
    assert "Nothing is waiting for you" in client.get("/training/").content.decode()

    record = acme.logged_in_client(acme.auditor).get(f"/training/people/{acme.staff.pk}/").content.decode()
    assert "IT security policy version 1" in record and "50 %" in record and "100 %" in record


def test_module_form_shows_quiz_errors_and_writes_nothing(acme):
    client = acme.logged_in_client(acme.security)
    response = client.post(
        "/training/modules/new/",
        {"title": "Passwords", "content": "Use a manager.", "quiz": "Q: Good?\n[x] Yes", "pass_mark": "80",
         "validity_months": "0", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Question 1 needs at least two answer options." in response.content.decode()
    response = client.post(
        "/training/modules/new/",
        {"title": "Passwords", "content": "x", "quiz": "", "pass_mark": "0", "validity_months": "0"},
    )
    assert response.status_code == 200
    with schema_context("acme"):
        assert not Module.objects.filter(title="Passwords").exists()
    response = client.post(
        "/training/modules/new/",
        {"title": "Passwords", "content": "Use a manager.", "quiz": "Q: Good?\n[x] Yes\n[ ] No",
         "pass_mark": "100", "validity_months": "12", "audience": ["Staff", "External"], "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    with schema_context("acme"):
        module = Module.objects.get(title="Passwords")
        assert (module.audience, module.validity_months, module.questions.count()) == (["External", "Staff"], 12, 1)


def test_module_content_with_script_and_javascript_links_renders_inert(acme, make_module):
    module = make_module(
        content="Hi <script>alert(1)</script> [click](javascript:alert(2)) [ok](https://example.com)", quiz=""
    )
    body = acme.logged_in_client(acme.staff).get(f"/training/modules/{module.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert 'href="javascript:' not in body and 'href="https://example.com"' in body


def test_settings_change_is_audited_and_bad_values_refused(acme):
    from audit.models import AuditEvent

    client = acme.logged_in_client(acme.admin)
    assert client.post("/training/settings/", {"onboarding_due_days": "0"}).status_code == 200
    assert client.post("/training/settings/", {"onboarding_due_days": "21"}).status_code == 302
    with schema_context("acme"):
        assert TrainingSettings.current().onboarding_due_days == 21
        assert AuditEvent.objects.get(action="training.settings_changed").changes == {"onboarding_due_days": [14, 21]}


def test_assign_to_audience_from_the_module_page(acme, world):
    module = world["operations_only"]
    due = timezone.localdate() + dt.timedelta(days=30)
    client = acme.logged_in_client(acme.ciso)
    response = client.post(f"/training/modules/{module.pk}/assign/", {"due_date": due.isoformat()})
    assert response.status_code == 302
    with schema_context("acme"):
        assert list(Assignment.objects.filter(module=module).values_list("user__email", "due_date")) == [
            ("operations@acme.example", due)
        ]
    assert (
        acme.logged_in_client(acme.security)
        .post(f"/training/modules/{module.pk}/assign/", {"due_date": due.isoformat()})
        .status_code
        == 404
    )


def test_compliance_view_lists_overdue_people_for_ciso_and_management(acme, world):
    with schema_context("acme"):
        Assignment.objects.filter(user=acme.staff).update(due_date=timezone.localdate() - dt.timedelta(days=2))
    for role in ("ciso", "management"):
        body = acme.logged_in_client(getattr(acme, role)).get("/training/compliance/").content.decode()
        overdue = body.split('id="overdue-title"', 1)[1].split("</section>", 1)[0]
        assert "Staff of Acme AB" in overdue and "Operations of Acme AB" not in overdue


def test_evidence_export_is_formula_safe(acme, world):
    with schema_context("acme"):
        account_services.user_create(email="eve@acme.example", full_name="=HYPERLINK(1)", roles=["Staff"])
        services.version_assign(version=world["staff_task"].version)
    body = acme.logged_in_client(acme.ciso).get("/training/compliance/?format=csv").content.decode()
    assert "'=HYPERLINK(1)" in body and "\n=HYPERLINK" not in body


def _people(acme, start: int, stop: int, module) -> None:
    with schema_context("acme"):
        for n in range(start, stop):
            person = account_services.user_create(email=f"p{n}@acme.example", full_name=f"P {n}", roles=["Staff"])
            services.onboarding_assign(user=person)
            if n % 2:
                services.module_complete(user=person, module=module, acknowledged=[])


@pytest.mark.parametrize("path", ["/training/compliance/", "/training/", "/training/modules/", "/"])
def test_list_pages_cost_the_same_queries_for_few_and_many(acme, make_module, path):
    module = make_module(quiz="")
    make_module(title="Second", quiz="", onboarding=True)
    _people(acme, 0, 3, module)
    client = acme.logged_in_client(acme.ciso)
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    _people(acme, 3, 40, module)
    for n in range(10):
        make_module(title=f"Extra {n}", quiz="Q: a\n[x] b\n[ ] c", onboarding=False)
    with CaptureQueriesContext(connection) as many:
        assert client.get(path).status_code == 200
    assert len(many) == len(few)


def test_editing_a_module_records_what_changed_and_keeps_an_unchanged_quiz(acme, make_module):
    from audit.models import AuditEvent
    from training.quiz import quiz_text

    module = make_module()
    with schema_context("acme"):
        question_ids = list(module.questions.values_list("pk", flat=True))
        text = quiz_text(module.questions.prefetch_related("options"))
    client = acme.logged_in_client(acme.security)
    data = {"title": module.title, "summary": "", "content": module.content, "quiz": text, "pass_mark": "100",
            "validity_months": "0", "onboarding": "on", "active": "on"}  # fmt: skip
    assert client.post(f"/training/modules/{module.pk}/edit/", data).status_code == 302
    with schema_context("acme"):
        assert list(module.questions.values_list("pk", flat=True)) == question_ids
        event = AuditEvent.objects.filter(action="training.module_updated").get()
        assert event.changes == {"minimum_score": [75, 100]}
    data["quiz"] = text + "\n\nQ: One more?\n[x] Yes\n[ ] No"
    assert client.post(f"/training/modules/{module.pk}/edit/", data).status_code == 302
    with schema_context("acme"):
        assert module.questions.count() == 5
        change = AuditEvent.objects.filter(action="training.module_updated").order_by("-pk").first()
        assert change is not None and set(change.changes) == {"quiz"}
        assert change.changes["quiz"][1].startswith("5 questions, sha256 ")


def test_completing_a_module_twice_records_one_completion(acme, make_policy, make_module, publish):
    """A double-clicked or resent "Complete the module" form must not put the module twice on the record."""
    from audit.models import AuditEvent

    policy = make_policy()
    module = make_module(title="Clean desk", onboarding=False, quiz="", policies=[policy])
    with schema_context("acme"):
        version = services.versions_to_acknowledge(module, acme.staff)[0]
    client = acme.logged_in_client(acme.staff)
    for _ in range(2):
        assert client.post(f"/training/modules/{module.pk}/complete/", {f"v{version.pk}": "on"}).status_code == 302
    with schema_context("acme"):
        assert Completion.objects.filter(user=acme.staff, module=module).count() == 1
        assert AuditEvent.objects.filter(action="training.module_completed").count() == 1

    # A new policy version is something new to acknowledge: completing again records it.
    v2 = publish(policy, body="# IT security policy\n\nNow with passkeys.")
    assert client.post(f"/training/modules/{module.pk}/complete/", {f"v{v2.pk}": "on"}).status_code == 302
    with schema_context("acme"):
        assert Completion.objects.filter(user=acme.staff, module=module).count() == 2


def test_compliance_links_a_module_only_for_readers_who_may_open_it(acme, world):
    """The Auditor reads the figures of the Operations runbook but may not open the module: no dead link."""
    runbook = world["operations_only"]
    with schema_context("acme"):
        services.module_assign(module=runbook, by=acme.ciso, due_date=timezone.localdate())
    link = f'href="/training/modules/{runbook.pk}/"'
    for role, linked in (("auditor", False), ("management", False), ("ciso", True)):
        client = acme.logged_in_client(getattr(acme, role))
        body = client.get("/training/compliance/").content.decode()
        assert "Operations runbook" in body
        assert (link in body) == linked, role
        assert (client.get(f"/training/modules/{runbook.pk}/").status_code == 200) == linked, role


def test_deactivating_a_module_takes_it_off_everyones_list(acme, make_module):
    """An inactive module cannot be opened: left on a person's list it would be a dead link, overdue for ever."""
    module = make_module(title="Old VPN guide", onboarding=False, quiz="")
    with schema_context("acme"):
        services.module_assign(module=module, by=acme.ciso, due_date=timezone.localdate())
        services.module_update(module=module, by=acme.security, active=False)
    staff = acme.logged_in_client(acme.staff)
    assert "Old VPN guide" not in staff.get("/training/").content.decode()
    assert "Old VPN guide" not in staff.get("/").content.decode()
    assert staff.get(f"/training/modules/{module.pk}/").status_code == 404
    with schema_context("acme"):
        assert not [d for d in selectors.duties(timezone.localdate()) if d.label == "Old VPN guide"]


def test_evidence_export_says_whose_account_is_deactivated(acme, world):
    with schema_context("acme"):
        leaver = account_services.user_create(email="leaver@acme.example", full_name="Lea Ver", roles=["Staff"])
        services.version_assign(version=world["staff_task"].version)
        account_services.user_deactivate(user=leaver, by=acme.admin)
    rows = list(
        csv.reader(
            io.StringIO(acme.logged_in_client(acme.ciso).get("/training/compliance/?format=csv").content.decode())
        )
    )
    account = rows[0].index("Account")
    assert {row[account] for row in rows[1:] if row[0] == "Lea Ver"} == {"Deactivated"}
    assert {row[account] for row in rows[1:] if row[0] == acme.staff.get_full_name()} == {"Active"}


def test_the_dashboard_shows_what_is_left_only_while_something_is_open(acme, world):
    """training adds its panel to the dashboard through core.dashboard.PANELS (core does not know training)."""
    body = acme.logged_in_client(acme.staff).get("/").content.decode()
    assert "What is left for you" in body
    assert f'href="/training/assignments/{world["staff_task"].pk}/"' in body
    with schema_context("acme"):
        Assignment.objects.filter(user=acme.staff).update(status=Assignment.Status.DONE)
    assert "What is left for you" not in acme.logged_in_client(acme.staff).get("/").content.decode()
