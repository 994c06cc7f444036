"""Semiannual risk analyses: start, review, changes since the previous one, sign-off and the frozen snapshot."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_tenants.utils import schema_context

from audit.models import AuditEvent
from risks import analyses, services
from risks.models import Risk, RiskAnalysis
from risks.policies import analysis_policy

H2 = {"period_start": dt.date(2026, 7, 1), "period_end": dt.date(2026, 12, 31), "deadline": dt.date(2026, 12, 15)}


def _plan(acme, name="2026 H2", **extra):
    with schema_context("acme"):
        return analyses.analysis_create(by=acme.ciso, name=name, **(H2 | extra))


def _signed(acme, name="2026 H1"):
    analysis = _plan(
        acme,
        name=name,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30),
        deadline=dt.date(2026, 6, 15),
    )
    with schema_context("acme"):
        analyses.analysis_start(analysis=analysis, by=acme.ciso)
        for review in analysis.reviews.all():
            analyses.risk_review(
                review=review, by=acme.ciso, likelihood=review.likelihood_before, impact=review.impact_before
            )
        analyses.analysis_sign(analysis=analysis, by=acme.ciso)
        return analyses.analysis_sign(analysis=analysis, by=acme.management)


def test_start_puts_open_risks_in_scope_and_reviews_show_progress(acme, make_risk):
    first, second = make_risk(title="A"), make_risk(title="B", likelihood=2, impact=2)
    closed = make_risk(title="C")
    with schema_context("acme"):
        Risk.objects.filter(pk=closed.pk).update(status="closed")
    analysis = _plan(acme)
    client = acme.logged_in_client(acme.ciso)
    client.post(f"/risks/analyses/{analysis.pk}/start/")
    with schema_context("acme"):
        assert sorted(analysis.reviews.values_list("risk__title", flat=True)) == ["A", "B"]
        review = analysis.reviews.get(risk=second)
    client.post(
        f"/risks/analyses/{analysis.pk}/reviews/{review.pk}/", {"likelihood": 4, "impact": 2, "note": "More phishing"}
    )
    page = client.get(f"/risks/analyses/{analysis.pk}/").content.decode()
    assert "1 of 2 risks reviewed" in page
    with schema_context("acme"):
        second.refresh_from_db()
        assert (second.likelihood, second.impact) == (4, 2)  # the change goes to the register
        assert AuditEvent.objects.filter(action="risk.updated", object_id=str(second.pk)).exists()
        assert AuditEvent.objects.filter(action="risk_analysis.risk_reviewed").count() == 1
    assert first.pk


def test_sign_off_needs_the_ciso_and_management_and_freezes_the_register(acme, make_risk):
    risk = make_risk(title="Frozen", likelihood=3, impact=3)
    analysis = _plan(acme)
    with schema_context("acme"):
        analyses.analysis_start(analysis=analysis, by=acme.ciso)
        with pytest.raises(PermissionDenied):
            analyses.analysis_sign(analysis=analysis, by=acme.security)
        analyses.analysis_sign(analysis=analysis, by=acme.ciso, decisions="Fund MFA for all.")
        with pytest.raises(PermissionDenied):
            analyses.analysis_sign(analysis=analysis, by=acme.ciso)  # the CISO signs once
        signed = analyses.analysis_sign(analysis=analysis, by=acme.management)
        assert signed.status == "signed_off"
        services.risk_update(risk=risk, by=acme.ciso, title="Changed after sign-off", likelihood=5)
        signed.refresh_from_db()
        frozen = signed.snapshot["risks"]
    assert [(r["title"], r["likelihood"]) for r in frozen] == [("Frozen", 3)]
    report = acme.logged_in_client(acme.auditor).get(f"/risks/analyses/{analysis.pk}/report/").content.decode()
    assert "Frozen" in report and "Changed after sign-off" not in report
    assert "0 of 1 risks in scope were reviewed" in report
    export = acme.logged_in_client(acme.auditor).get(f"/risks/analyses/{analysis.pk}/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Frozen"]


def test_a_signed_off_snapshot_cannot_be_rewritten(acme, make_risk):
    make_risk()
    signed = _signed(acme)
    with schema_context("acme"):
        signed.snapshot = {"risks": []}
        with pytest.raises(ValueError, match="immutable"):
            signed.save()
        with pytest.raises(ValidationError):
            analyses.analysis_start(analysis=signed, by=acme.ciso)


def test_changes_since_the_previous_analysis(acme, make_risk):
    stays, rises, falls, goes = (
        make_risk(title=t, likelihood=2, impact=2) for t in ("Stays", "Rises", "Falls", "Goes")
    )
    previous = _signed(acme)
    with schema_context("acme"):
        services.risk_update(risk=rises, by=acme.ciso, likelihood=4)
        services.risk_update(risk=falls, by=acme.ciso, likelihood=1)
        services.risk_update(risk=goes, by=acme.ciso, status="closed")
    make_risk(title="Newcomer")
    current = _plan(acme, previous=previous)
    with schema_context("acme"):
        comparison = analyses.changes_since_previous(current)
    assert comparison is not None
    assert [r["title"] for r in comparison.new] == ["Newcomer"]
    assert [r["title"] for r in comparison.closed] == ["Goes"]
    assert [(r["title"], d) for r, d in comparison.up] == [("Rises", 4)]
    assert [(r["title"], d) for r, d in comparison.down] == [("Falls", -2)]
    page = acme.logged_in_client(acme.ciso).get(f"/risks/analyses/{current.pk}/").content.decode()
    assert "Changes since 2026 H1" in page and "Newcomer" in page
    assert stays.pk


def test_next_analysis_starts_from_the_previous(acme, make_risk):
    make_risk()
    previous = _signed(acme)
    with schema_context("acme"):
        previous.participants.set([acme.ciso, acme.management])
        previous_scope = "All production services"
        RiskAnalysis.objects.filter(pk=previous.pk).update(scope=previous_scope)
    form = acme.logged_in_client(acme.ciso).get(f"/risks/analyses/new/?previous={previous.pk}").content.decode()
    assert "All production services" in form
    with schema_context("acme"):
        nxt = analyses.analysis_create(
            by=acme.ciso,
            name="2026 H2",
            previous=RiskAnalysis.objects.get(pk=previous.pk),
            period_start=H2["period_start"],
            period_end=H2["period_end"],
            deadline=H2["deadline"],
        )
        assert nxt.scope == previous_scope
        assert set(nxt.participants.all()) == {acme.ciso, acme.management}


@pytest.mark.parametrize(
    "role, view, run",
    [
        ("ciso", 200, True),
        ("security", 200, True),
        ("management", 200, False),
        ("auditor", 200, False),
        ("staff", 404, False),
        ("external", 404, False),
    ],
)
def test_analysis_role_matrix(acme, make_risk, role, view, run):
    analysis = _plan(acme)
    client = acme.logged_in_client(getattr(acme, role))
    assert client.get("/risks/analyses/").status_code == view
    assert client.get(f"/risks/analyses/{analysis.pk}/").status_code == view
    assert client.get("/risks/analyses/new/").status_code == (200 if run else 404)
    client.post(f"/risks/analyses/{analysis.pk}/start/")
    with schema_context("acme"):
        assert RiskAnalysis.objects.get(pk=analysis.pk).status == ("in_progress" if run else "planned")


def test_bad_plans_are_refused_clearly(acme):
    _plan(acme)
    client = acme.logged_in_client(acme.ciso)
    same_name = client.post("/risks/analyses/new/", {"name": "2026 h2", **{k: v.isoformat() for k, v in H2.items()}})
    assert "already an analysis called" in same_name.content.decode()
    backwards = client.post(
        "/risks/analyses/new/",
        {"name": "Backwards", "period_start": "2026-12-31", "period_end": "2026-07-01", "deadline": "2026-12-15"},
    )
    assert "The period ends before it starts." in backwards.content.decode()
    with schema_context("acme"):
        assert RiskAnalysis.objects.count() == 1


def test_the_policy_says_who_signs_as_what_and_when(acme):
    """One place decides the signature: the CISO's and Management's, each once, only while in progress."""
    analysis = _plan(acme, name="2027 H1")
    with schema_context("acme"):
        assert analysis_policy.can_start(acme.ciso, analysis) and not analysis_policy.can_review(acme.ciso, analysis)
        assert analysis_policy.signs_as(acme.ciso, analysis) is None  # planned: nobody signs yet
        analyses.analysis_start(analysis=analysis, by=acme.ciso)
        assert not analysis_policy.can_start(acme.ciso, analysis) and analysis_policy.can_review(acme.ciso, analysis)
        assert not analysis_policy.can_review(acme.management, analysis)
        assert analysis_policy.signs_as(acme.ciso, analysis) == RiskAnalysis.Signature.CISO
        assert analysis_policy.signs_as(acme.management, analysis) == RiskAnalysis.Signature.MANAGEMENT
        assert analysis_policy.signs_as(acme.security, analysis) is None
        analysis = analyses.analysis_sign(analysis=analysis, by=acme.ciso)
        assert analysis_policy.signs_as(acme.ciso, analysis) is None  # once
        with pytest.raises(PermissionDenied):
            analyses.analysis_sign(analysis=analysis, by=acme.ciso)
        assert analysis.ciso_signed_by == acme.ciso and analysis.management_signed_by is None
