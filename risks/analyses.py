"""Semiannual risk analyses: start, review each risk, sign off, freeze the register, compare periods."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from accounts.models import User

from . import services
from .models import Risk, RiskAnalysis, RiskMatrix, RiskReview
from .policies import analysis_policy

SNAPSHOT_FIELDS = (
    "reference",
    "title",
    "category",
    "likelihood",
    "impact",
    "inherent_level",
    "residual_likelihood",
    "residual_impact",
    "residual_level",
    "treatment",
    "status",
    "next_review",
    "acceptance_expires",
)


@transaction.atomic
def analysis_create(
    *,
    by: User,
    name: str,
    period_start: dt.date,
    period_end: dt.date,
    deadline: dt.date,
    scope: str = "",
    participants: list[User] | None = None,
    previous: RiskAnalysis | None = None,
) -> RiskAnalysis:
    if not analysis_policy.can_run(by):
        raise PermissionDenied
    if period_end < period_start:
        raise ValidationError(_("The period ends before it starts."))
    if RiskAnalysis.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError(_("There is already an analysis called “%(name)s”.") % {"name": name})
    analysis = RiskAnalysis.objects.create(
        name=name.strip(),
        scope=scope or (previous.scope if previous else ""),
        period_start=period_start,
        period_end=period_end,
        deadline=deadline,
        previous=previous,
        created_by=by,
    )
    chosen = participants if participants is not None else (list(previous.participants.all()) if previous else [])
    analysis.participants.set(chosen)
    audit.record(
        actor=by,
        action="risk_analysis.created",
        obj=analysis,
        changes={"period": [None, f"{period_start}–{period_end}"], "previous": [None, str(previous or "")]},
    )
    return analysis


@transaction.atomic
def analysis_start(*, analysis: RiskAnalysis, by: User) -> RiskAnalysis:
    """Put every risk that is not closed in scope, with its score as it stands now."""
    if not analysis_policy.can_run(by):
        raise PermissionDenied
    if analysis.status != RiskAnalysis.Status.PLANNED:
        raise ValidationError(_("Only a planned analysis can be started."))
    risks = Risk.objects.exclude(status=Risk.Status.CLOSED)
    RiskReview.objects.bulk_create(
        RiskReview(analysis=analysis, risk=risk, likelihood_before=risk.likelihood, impact_before=risk.impact)
        for risk in risks
    )
    analysis.status = RiskAnalysis.Status.IN_PROGRESS
    analysis.started_at = timezone.now()
    analysis.save(update_fields=["status", "started_at"])
    audit.record(
        actor=by,
        action="risk_analysis.started",
        obj=analysis,
        changes={"risks_in_scope": [None, analysis.reviews.count()]},
    )
    return analysis


@transaction.atomic
def risk_review(*, review: RiskReview, by: User, likelihood: int, impact: int, note: str = "") -> RiskReview:
    """Confirm a risk's score or change it; a change goes to the risk itself, audited as usual."""
    analysis = review.analysis
    if not analysis_policy.can_run(by):
        raise PermissionDenied
    if analysis.status != RiskAnalysis.Status.IN_PROGRESS:
        raise ValidationError(_("Reviews can only be recorded while the analysis is in progress."))
    if not (1 <= likelihood <= 5 and 1 <= impact <= 5):
        raise ValidationError(_("Likelihood and impact are 1 to 5."))
    risk = Risk.objects.select_for_update().get(pk=review.risk_id)
    if (risk.likelihood, risk.impact) != (likelihood, impact):
        services.risk_update(risk=risk, by=by, likelihood=likelihood, impact=impact)
    review.likelihood_after, review.impact_after = likelihood, impact
    review.note = note.strip()
    review.reviewed_by = by
    review.reviewed_at = timezone.now()
    review.save()
    audit.record(
        actor=by,
        action="risk_analysis.risk_reviewed",
        obj=analysis,
        changes={risk.reference: [f"{review.likelihood_before}×{review.impact_before}", f"{likelihood}×{impact}"]},
    )
    return review


def register_snapshot() -> dict[str, Any]:
    """The register and matrix as they stand, in a form that never changes afterwards."""
    matrix = RiskMatrix.current()
    risks = [
        {name: _plain(getattr(risk, name)) for name in SNAPSHOT_FIELDS}
        | {"owner": risk.owner.email, "score": risk.score, "residual_score": risk.residual_score}
        for risk in Risk.objects.select_related("owner").order_by("reference")
    ]
    return {
        "taken_at": timezone.now().isoformat(),
        "matrix": {
            "likelihood_labels": matrix.likelihood_labels,
            "impact_labels": matrix.impact_labels,
            "bands": matrix.bands,
            "acceptance_threshold": matrix.acceptance_threshold,
        },
        "risks": risks,
    }


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@transaction.atomic
def analysis_sign(*, analysis: RiskAnalysis, by: User, decisions: str = "") -> RiskAnalysis:
    """The CISO and a Management member each sign; the second signature freezes the snapshot."""
    analysis = RiskAnalysis.objects.select_for_update().get(pk=analysis.pk)
    if analysis.status != RiskAnalysis.Status.IN_PROGRESS:
        raise ValidationError(_("Only an analysis in progress can be signed."))
    # Signing with risks unreviewed is allowed but on the record: the report and the event say how many.
    pending = analysis.reviews.filter(reviewed_at=None).count()
    signed_as = analysis_policy.signs_as(by, analysis)
    if signed_as is None:
        raise PermissionDenied
    now = timezone.now()
    analysis.sign(by=by, signed_as=signed_as, now=now)
    if decisions.strip():
        analysis.decisions = decisions.strip()
    if analysis.ciso_signed_by_id and analysis.management_signed_by_id:
        analysis.snapshot = register_snapshot() | {
            "reviewed": analysis.reviews.exclude(reviewed_at=None).count(),
            "in_scope": analysis.reviews.count(),
        }
        analysis.status = RiskAnalysis.Status.SIGNED_OFF
        analysis.signed_off_at = now
    analysis.save()
    audit.record(
        actor=by,
        action="risk_analysis.signed",
        obj=analysis,
        changes={
            "signed_as": [None, signed_as.value],
            "status": [RiskAnalysis.Status.IN_PROGRESS, analysis.status],
            "unreviewed": [None, pending],
        },
    )
    return analysis


@dataclass(frozen=True)
class Comparison:
    new: list[dict[str, Any]]
    closed: list[dict[str, Any]]
    up: list[tuple[dict[str, Any], int]]
    down: list[tuple[dict[str, Any], int]]


def register_of(analysis: RiskAnalysis) -> list[dict[str, Any]]:
    """The register as this analysis sees it: its frozen snapshot once signed, live before."""
    if analysis.is_signed_off:
        return list(analysis.snapshot.get("risks", []))
    return list(register_snapshot()["risks"])


def changes_since_previous(analysis: RiskAnalysis) -> Comparison | None:
    if analysis.previous is None or not analysis.previous.is_signed_off:
        return None
    before = {risk["reference"]: risk for risk in analysis.previous.snapshot.get("risks", [])}
    now = {risk["reference"]: risk for risk in register_of(analysis)}
    new = [risk for ref, risk in now.items() if ref not in before]
    closed = [before[ref] for ref in before if ref not in now or now[ref]["status"] == Risk.Status.CLOSED]
    moved = [(now[ref], now[ref]["score"] - before[ref]["score"]) for ref in now if ref in before]
    return Comparison(
        new=new,
        closed=closed,
        up=[(risk, delta) for risk, delta in moved if delta > 0],
        down=[(risk, delta) for risk, delta in moved if delta < 0],
    )


def summary(risks: list[dict[str, Any]]) -> dict[str, Any]:
    """Figures for the report: top risks, counts by level, treatment and status."""
    return {
        "top": sorted(risks, key=lambda risk: (-risk["score"], risk["reference"]))[:10],
        # Lists, not Counters: a template's `.items` on a Counter looks up the key "items".
        "by_level": sorted(Counter(risk["inherent_level"] for risk in risks).items()),
        "by_treatment": sorted(Counter(risk["treatment"] for risk in risks).items()),
        "by_status": sorted(Counter(risk["status"] for risk in risks).items()),
        "total": len(risks),
    }
