"""The objectives pages: who reaches what, every write on the record, clear refusals, fixed query counts."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from audit.models import AuditEvent
from objectives import services
from objectives.models import KeyResult, Objective

#            role          reads  changes
MATRIX = [
    ("ciso", True, True),
    ("security", True, True),
    ("management", True, False),
    ("auditor", True, False),
    ("admin", False, False),
    ("operations", False, False),
    ("staff", False, False),
    ("external", False, False),
]


def _events(action: str, objective: Objective) -> list[AuditEvent]:
    with schema_context("acme"):
        return list(AuditEvent.objects.filter(action=action, object_id=str(objective.pk)).order_by("id"))


def _current(result: KeyResult) -> Decimal:
    with schema_context("acme"):
        return KeyResult.objects.get(pk=result.pk).current


def _first_result(objective: Objective) -> KeyResult:
    with schema_context("acme"):
        return objective.key_results.get()


@pytest.mark.parametrize("role, reads, changes", MATRIX)
def test_role_matrix_on_someone_elses_objective(acme, make_objective, role, reads, changes):
    objective = make_objective(owner=acme.ciso if role != "ciso" else acme.security, results=[("30", "7", "30")])
    result = _first_result(objective)
    client = acme.logged_in_client(getattr(acme, role))
    base = f"/objectives/{objective.pk}"
    assert client.get("/objectives/").status_code == (200 if reads else 404)
    assert client.get(f"{base}/").status_code == (200 if reads else 404)
    assert client.get(f"{base}/edit/").status_code == (200 if changes else 404)
    assert client.get("/objectives/new/").status_code == (200 if changes else 404)
    updated = client.post(f"{base}/key-results/{result.pk}/", {"current": "21"})
    assert updated.status_code == (302 if changes else 404)
    assert _current(result) == Decimal(21 if changes else 30)
    added = client.post(f"{base}/key-results/", {"metric": "Patched", "baseline": "0", "target": "100", "current": "0"})
    assert added.status_code == (302 if changes else 404)
    removed = client.post(f"{base}/key-results/{result.pk}/remove/")
    assert removed.status_code == (302 if changes else 404)
    with schema_context("acme"):
        assert KeyResult.objects.filter(pk=result.pk).exists() is not changes


@pytest.mark.parametrize("role", ["staff", "external", "operations"])
def test_the_owner_reads_their_objective_and_updates_its_values_only(acme, make_objective, role):
    person = getattr(acme, role)
    objective = make_objective(owner=person, results=[("30", "7", "30")])
    other = make_objective(owner=acme.ciso, title="Someone else's")
    result = _first_result(objective)
    client = acme.logged_in_client(person)
    listing = client.get("/objectives/").content.decode()
    assert objective.title in listing and other.title not in listing
    page = client.get(f"/objectives/{objective.pk}/").content.decode()
    assert f'action="/objectives/{objective.pk}/key-results/{result.pk}/"' in page
    assert "Add a key result" not in page and "/remove/" not in page and "/edit/" not in page
    assert client.post(f"/objectives/{objective.pk}/key-results/{result.pk}/", {"current": "18.5"}).status_code == 302
    assert _current(result) == Decimal("18.5")
    assert client.get(f"/objectives/{objective.pk}/edit/").status_code == 404
    assert client.get(f"/objectives/{other.pk}/").status_code == 404
    assert client.post(f"/objectives/{objective.pk}/key-results/{result.pk}/remove/").status_code == 404
    added = client.post(
        f"/objectives/{objective.pk}/key-results/", {"metric": "X", "baseline": "0", "target": "1", "current": "0"}
    )
    assert added.status_code == 404
    with schema_context("acme"):
        assert objective.key_results.count() == 1
        with pytest.raises(PermissionDenied):
            services.objective_update(objective=objective, by=person, title="Mine now")


def test_missing_and_unreachable_objectives_look_the_same(acme, make_objective):
    objective = make_objective(owner=acme.ciso)
    client = acme.logged_in_client(acme.staff)
    assert client.get(f"/objectives/{objective.pk}/").status_code == 404
    assert client.get(f"/objectives/{objective.pk + 10000}/").status_code == 404


def test_other_tenant_cannot_reach_an_objective(acme, globex, make_objective):
    objective = make_objective(owner=acme.ciso, title="Acme's secret plan", results=[("0", "1", "0")])
    result = _first_result(objective)
    client = globex.logged_in_client(globex.ciso)
    assert client.get(f"/objectives/{objective.pk}/").status_code == 404
    assert client.post(f"/objectives/{objective.pk}/key-results/{result.pk}/", {"current": "1"}).status_code == 404
    assert "Acme's secret plan" not in client.get("/objectives/").content.decode()
    assert _current(result) == 0


def test_creating_and_editing_through_the_pages(acme, make_risk):
    risk = make_risk()
    client = acme.logged_in_client(acme.security)
    response = client.post(
        "/objectives/new/",
        {"title": "Patch faster", "period": "2026 H2", "owner": acme.staff.pk, "risks": [risk.pk], "description": ""},
    )
    assert response.status_code == 302
    with schema_context("acme"):
        objective = Objective.objects.get(title="Patch faster")
        assert (objective.owner, list(objective.risks.all())) == (acme.staff, [risk])
    response = client.post(
        f"/objectives/{objective.pk}/edit/",
        {"title": "Patch much faster", "period": "2026 H2", "owner": acme.staff.pk, "status_override": "at_risk"},
    )
    assert response.status_code == 302
    with schema_context("acme"):
        objective.refresh_from_db()
        assert (objective.title, objective.status, objective.risks.count()) == ("Patch much faster", "at_risk", 0)


def test_every_write_is_on_the_record_old_to_new(acme, make_risk):
    risk = make_risk()
    with schema_context("acme"):
        objective = services.objective_create(
            by=acme.ciso, title="Patch faster", owner=acme.staff, period="2026 H2", risks=[risk]
        )
        services.objective_update(objective=objective, by=acme.security, title="Patch much faster", risks=[])
        result = services.key_result_add(
            objective=objective,
            by=acme.ciso,
            metric="Mean time to patch",
            baseline=Decimal(30),
            target=Decimal(7),
            current=Decimal(30),
            unit="days",
        )
        services.key_result_update(key_result=result, by=acme.staff, current=Decimal("21.5"))
        services.key_result_remove(key_result=result, by=acme.ciso)

    (created,) = _events("objective.created", objective)
    assert created.changes == {
        "title": [None, "Patch faster"],
        "period": [None, "2026 H2"],
        "owner": [None, acme.staff.email],
        "risks": [None, [risk.reference]],
    }
    (updated,) = _events("objective.updated", objective)
    assert updated.changes == {"title": ["Patch faster", "Patch much faster"], "risks": [[risk.reference], []]}
    assert updated.actor_label == acme.security.email
    (added,) = _events("objective.key_result_added", objective)
    assert added.changes == {
        "metric": [None, "Mean time to patch"],
        "baseline": [None, "30"],
        "target": [None, "7"],
        "current": [None, "30"],
        "unit": [None, "days"],
    }
    assert added.object_label == "Patch much faster (2026 H2) · Mean time to patch"
    (changed,) = _events("objective.key_result_updated", objective)
    assert changed.changes == {"current": ["30", "21.5"]}
    assert changed.actor_label == acme.staff.email
    (removed,) = _events("objective.key_result_removed", objective)
    assert removed.changes == {
        "metric": ["Mean time to patch", None],
        "baseline": ["30", None],
        "target": ["7", None],
        "current": ["21.5", None],
        "unit": ["days", None],
    }
    page = acme.logged_in_client(acme.ciso).get(f"/objectives/{objective.pk}/").content.decode()
    assert "objective.key_result_updated" in page and "current: 30 → 21.5" in page
    assert "title: Patch faster → Patch much faster" in page
    assert f"risks: {risk.reference} → —" in page


def test_saving_an_unchanged_value_writes_no_event(acme, make_objective):
    objective = make_objective(results=[("30", "7", "20")])
    with schema_context("acme"):
        services.key_result_update(key_result=objective.key_results.get(), by=acme.ciso, current=Decimal("20.000"))
    assert _events("objective.key_result_updated", objective) == []


def test_an_empty_title_is_refused_clearly_and_nothing_is_written(acme):
    client = acme.logged_in_client(acme.ciso)
    with schema_context("acme"):
        events_before = AuditEvent.objects.exclude(kind=AuditEvent.Kind.ACCESS).count()
    response = client.post("/objectives/new/", {"title": "  ", "period": "2026 H2", "owner": acme.ciso.pk})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    with schema_context("acme"):
        assert not Objective.objects.exists()
        with pytest.raises(ValidationError) as refused:
            services.objective_create(by=acme.ciso, title=" ", owner=acme.ciso, period="2026 H2")
        assert "title" in refused.value.message_dict
        assert not Objective.objects.exists()
        assert AuditEvent.objects.exclude(kind=AuditEvent.Kind.ACCESS).count() == events_before


def test_a_non_numeric_value_is_refused_clearly_and_nothing_is_written(acme, make_objective):
    objective = make_objective(results=[("30", "7", "30")])
    result = _first_result(objective)
    client = acme.logged_in_client(acme.ciso)
    # Target equal to the baseline is allowed (a level to hold); the words in "current" are not.
    response = client.post(
        f"/objectives/{objective.pk}/key-results/",
        {"metric": "Open critical findings", "baseline": "0", "target": "0", "current": "none"},
    )
    assert response.status_code == 200
    assert "Enter a number." in response.content.decode()
    response = client.post(f"/objectives/{objective.pk}/key-results/{result.pk}/", {"current": "twenty"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a number." in page and 'value="twenty"' in page
    with schema_context("acme"):
        assert list(objective.key_results.values_list("metric", flat=True)) == ["Metric 1"]
        # Callers other than the form (imports, the shell) may pass text: the service checks it too.
        with pytest.raises(ValidationError) as refused:
            services.key_result_add(
                objective=objective,
                by=acme.ciso,
                metric="X",
                baseline="abc",  # type: ignore[arg-type]  # wrong type on purpose
                target=Decimal(1),
                current=Decimal(0),
            )
        assert "baseline" in refused.value.message_dict
        with pytest.raises(ValidationError):
            services.key_result_update(key_result=result, by=acme.ciso, current="twenty")  # type: ignore[arg-type]  # wrong type on purpose
        assert objective.key_results.count() == 1
    assert _current(result) == 30
    assert len(_events("objective.key_result_added", objective)) == 1  # the fixture's own
    assert _events("objective.key_result_updated", objective) == []


def test_a_target_equal_to_its_baseline_is_accepted(acme, make_objective):
    objective = make_objective()
    client = acme.logged_in_client(acme.ciso)
    response = client.post(
        f"/objectives/{objective.pk}/key-results/",
        {"metric": "Open critical findings", "baseline": "0", "target": "0", "current": "0", "unit": ""},
    )
    assert response.status_code == 302
    with schema_context("acme"):
        assert Objective.objects.get(pk=objective.pk).progress == 100


def test_list_query_count_does_not_grow_with_objectives(acme, make_objective):
    for n in range(3):
        make_objective(title=f"Objective {n}", results=[("0", "100", "50"), ("30", "7", "10")])
    client = acme.logged_in_client(acme.ciso)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/objectives/").status_code == 200
    for n in range(3, 30):
        make_objective(title=f"Objective {n}", results=[("0", "100", "50"), ("30", "7", "10")])
    with CaptureQueriesContext(connection) as many:
        response = client.get("/objectives/")
    assert response.content.decode().count('class="progress-bar"') == 30
    assert len(many) == len(few)


def test_list_filters_by_period_status_and_owner(acme, make_objective):
    make_objective(title="Alpha", period="2026 H1", results=[("0", "100", "90")])
    make_objective(title="Bravo", period="2026 H2", results=[("0", "100", "50")], owner=acme.security)
    make_objective(title="Charlie", period="2026 H2", results=[("0", "100", "10")])
    client = acme.logged_in_client(acme.management)

    def titles(query: str) -> set[str]:
        body = client.get(f"/objectives/?{query}").content.decode()
        return {title for title in ("Alpha", "Bravo", "Charlie") if f">{title}</a>" in body}

    assert titles("") == {"Alpha", "Bravo", "Charlie"}
    assert titles("period=2026+H2") == {"Bravo", "Charlie"}
    assert titles("status=on_track") == {"Alpha"}
    assert titles("status=at_risk") == {"Bravo"}
    assert titles("status=off_track&period=2026+H2") == {"Charlie"}
    assert titles(f"owner={acme.security.pk}") == {"Bravo"}


def test_progress_bars_and_badges_need_no_inline_style(acme, make_objective):
    objective = make_objective(results=[("30", "7", "18.5")])
    client = acme.logged_in_client(acme.ciso)
    for url in ("/objectives/", f"/objectives/{objective.pk}/"):
        page = client.get(url).content.decode()
        assert "style=" not in page
        assert '<rect x="0" y="0" width="50" height="10"' in page
        assert 'class="level level--medium">At risk<' in page


def test_a_linked_risk_shows_only_to_readers_who_may_see_it(acme, make_objective, make_risk):
    risk = make_risk(owner=acme.ciso, title="Ransomware on file servers")
    objective = make_objective(owner=acme.staff, risks=[risk])
    staff_page = acme.logged_in_client(acme.staff).get(f"/objectives/{objective.pk}/").content.decode()
    assert "Ransomware on file servers" not in staff_page and risk.reference not in staff_page
    management_page = acme.logged_in_client(acme.management).get(f"/objectives/{objective.pk}/").content.decode()
    assert "Ransomware on file servers" in management_page


def test_an_editor_who_cannot_see_a_linked_risk_keeps_the_link(acme, make_objective, make_risk):
    risk = make_risk(owner=acme.ciso)
    objective = make_objective(owner=acme.ciso, risks=[risk])
    editor = acme.operations
    with schema_context("acme"):
        editor.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="objectives", codename__in=["view_objective", "change_objective"]
            )
        )
        editor = type(editor).objects.get(pk=editor.pk)  # fresh permission cache
        services.objective_update(objective=objective, by=editor, title="Renamed", risks=[])
        assert list(objective.risks.all()) == [risk]
        with pytest.raises(ValidationError):
            services.objective_update(objective=objective, by=editor, risks=[risk])


def test_the_risk_register_links_to_the_objectives_for_those_who_have_some(acme, make_objective):
    make_objective(owner=acme.staff)
    assert 'href="/objectives/"' in acme.logged_in_client(acme.ciso).get("/risks/").content.decode()
    assert 'href="/objectives/"' in acme.logged_in_client(acme.staff).get("/risks/").content.decode()
    assert 'href="/objectives/"' not in acme.logged_in_client(acme.external).get("/risks/").content.decode()
