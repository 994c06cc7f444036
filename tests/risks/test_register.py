"""The register pages: matrix edits, acceptance, filters and sort, and a query count that does not grow with rows."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.models import AuditEvent
from risks import services
from risks.models import Risk, RiskMatrix


def _matrix_form(**overrides):
    data: dict[str, object] = {f"likelihood_{n}": f"L{n}" for n in range(1, 6)}
    data |= {f"impact_{n}": f"I{n}" for n in range(1, 6)}
    data |= {"band_low": 6, "band_medium": 12, "band_high": 19, "band_critical": 25, "acceptance_threshold": 12}
    return data | overrides


def test_changing_the_bands_recomputes_levels_and_audits_each_change(acme, make_risk):
    unchanged, moved = make_risk(likelihood=1, impact=2), make_risk(likelihood=2, impact=3)  # 2 low, 6 medium
    client = acme.logged_in_client(acme.ciso)
    response = client.post("/risks/matrix/", _matrix_form())
    assert response.status_code == 302
    with schema_context("acme"):
        assert Risk.objects.get(pk=unchanged.pk).inherent_level == "low"
        assert Risk.objects.get(pk=moved.pk).inherent_level == "low"  # 6 is low under the new bands
        assert Risk.objects.get(pk=moved.pk).score == 6  # the score itself is never rewritten
        recomputed = AuditEvent.objects.filter(action="risk.levels_recomputed")
        assert [event.object_id for event in recomputed] == [str(moved.pk)]
        assert recomputed.get().changes == {"inherent_level": ["medium", "low"]}
        matrix_event = AuditEvent.objects.get(action="risk_matrix.updated")
        assert matrix_event.changes["risks_recomputed"] == [None, 1]
        assert RiskMatrix.current().likelihood_labels == ["L1", "L2", "L3", "L4", "L5"]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"band_medium": 3}, "must rise from Low to Critical"),
        ({"band_critical": 20}, "Critical must reach 25"),
        ({"likelihood_3": "   "}, "This field is required"),
    ],
)
def test_bad_matrix_is_refused_and_changes_nothing(acme, make_risk, overrides, message):
    make_risk(likelihood=2, impact=3)
    response = acme.logged_in_client(acme.ciso).post("/risks/matrix/", _matrix_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    with schema_context("acme"):
        assert RiskMatrix.current().bands == {"low": 4, "medium": 9, "high": 16, "critical": 25}
        assert not AuditEvent.objects.filter(action="risk_matrix.updated").exists()


@pytest.mark.parametrize(
    "role, allowed",
    [("admin", True), ("ciso", True), ("security", False), ("management", False), ("auditor", False), ("staff", False)],
)
def test_who_edits_the_matrix(acme, role, allowed):
    assert acme.logged_in_client(getattr(acme, role)).get("/risks/matrix/").status_code == (200 if allowed else 404)


def test_acceptance_by_management_with_justification_until_next_review(acme, make_risk):
    review = timezone.localdate() + dt.timedelta(days=90)
    risk = make_risk(owner=acme.operations, likelihood=4, impact=4, next_review=review)
    management = acme.logged_in_client(acme.management)
    page = management.get(f"/risks/{risk.pk}/").content.decode()
    assert "needs acceptance by Management or the CISO" in page
    management.post(f"/risks/{risk.pk}/accept/", {"justification": "Compensating monitoring is in place."})
    with schema_context("acme"):
        risk.refresh_from_db()
        event = AuditEvent.objects.get(action="risk.accepted")
    assert (risk.status, risk.accepted_by_id, risk.acceptance_expires) == ("accepted", acme.management.pk, review)
    assert event.changes["justification"] == [None, "Compensating monitoring is in place."]
    assert "Accepted by" in management.get(f"/risks/{risk.pk}/").content.decode()
    with schema_context("acme"):
        assert not risk.needs_acceptance(RiskMatrix.current(), review)
        assert risk.needs_acceptance(RiskMatrix.current(), review + dt.timedelta(days=1))  # expires at the review


def test_acceptance_is_refused_without_justification_review_date_or_role(acme, make_risk):
    risk = make_risk(likelihood=4, impact=4)
    with schema_context("acme"):
        with pytest.raises(ValidationError, match="next review date"):
            services.risk_accept(risk=risk, by=acme.ciso, justification="ok")
        Risk.objects.filter(pk=risk.pk).update(next_review=timezone.localdate() + dt.timedelta(days=30))
        risk.refresh_from_db()
        with pytest.raises(ValidationError, match="Explain why"):
            services.risk_accept(risk=risk, by=acme.ciso, justification="  ")
        for role in ("security", "staff", "auditor"):
            with pytest.raises(PermissionDenied):
                services.risk_accept(risk=risk, by=getattr(acme, role), justification="ok")
        risk.refresh_from_db()
        assert risk.accepted_at is None


def test_filters_overdue_and_sort(acme, make_risk):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    make_risk(title="Overdue one", next_review=yesterday, likelihood=1, impact=1)
    make_risk(title="Fine one", next_review=yesterday + dt.timedelta(days=30), likelihood=5, impact=5)
    client = acme.logged_in_client(acme.ciso)
    overdue = client.get("/risks/?overdue=on").content.decode()
    assert "Overdue one" in overdue and "Fine one" not in overdue
    by_score = client.get("/risks/?sort=-score").content.decode()
    assert by_score.index("Fine one") < by_score.index("Overdue one")
    critical = client.get("/risks/?level=critical").content.decode()
    assert "Fine one" in critical and "Overdue one" not in critical


def test_register_query_count_is_the_same_for_10_and_1000_risks(acme):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(start: int, stop: int) -> None:
        with schema_context("acme"):
            matrix = RiskMatrix.current()
            risks = [
                Risk(
                    reference=f"R-{n:04d}",
                    title=f"Bulk {n}",
                    owner=acme.staff,
                    likelihood=n % 5 + 1,
                    impact=(n // 5) % 5 + 1,
                    residual_likelihood=1,
                    residual_impact=2,
                )
                for n in range(start, stop)
            ]
            for risk in risks:
                risk.levels_compute(matrix)
            Risk.objects.bulk_create(risks)

    client = acme.logged_in_client(acme.ciso)
    add(1, 11)
    with CaptureQueriesContext(connection) as ten:
        assert client.get("/risks/?sort=-score").status_code == 200
    add(11, 1001)
    with CaptureQueriesContext(connection) as thousand:
        page = client.get("/risks/?sort=-score")
    assert "1000 risks you can see" in page.content.decode()
    assert len(thousand) == len(ten)
