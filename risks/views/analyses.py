"""Semiannual risk analyses: plan, start, review each risk, sign off, read the frozen report."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.http import AuthenticatedHttpRequest, posted
from core.spreadsheets import xlsx_response

from .. import analyses, related
from ..heatmap import heatmap, heatmap_of_snapshot
from ..models import RiskAnalysis, RiskMatrix, RiskReview
from ..policies import analysis_policy


class AnalysisForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100, help_text=gettext_lazy("For example “2026 H2”."))
    period_start = forms.DateField(label=gettext_lazy("Period start"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=gettext_lazy("Period end"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label=gettext_lazy("Sign-off deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    scope = forms.CharField(label=gettext_lazy("Scope"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    participants = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Participants"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    previous = forms.ModelChoiceField(
        label=gettext_lazy("Previous analysis"), queryset=RiskAnalysis.objects.none(), required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own arguments
        people = self.fields["participants"]
        previous = self.fields["previous"]
        assert isinstance(people, forms.ModelMultipleChoiceField) and isinstance(previous, forms.ModelChoiceField)  # noqa: S101 — type narrowing for mypy, not a runtime check
        people.queryset = User.objects.filter(
            is_active=True, groups__name__in=["CISO", "Management", "Security"]
        ).distinct()
        previous.queryset = RiskAnalysis.objects.filter(status=RiskAnalysis.Status.SIGNED_OFF)


class ReviewForm(forms.Form):
    likelihood = forms.TypedChoiceField(coerce=int, choices=[(n, n) for n in range(1, 6)])
    impact = forms.TypedChoiceField(coerce=int, choices=[(n, n) for n in range(1, 6)])
    note = forms.CharField(required=False, max_length=1000)


def _analysis_or_404(request: AuthenticatedHttpRequest, pk: int) -> RiskAnalysis:
    if not analysis_policy.can_view(request.user):
        raise Http404
    analysis = get_object_or_404(RiskAnalysis.objects.select_related("previous"), pk=pk)
    request.audit_object = analysis
    return analysis


@login_required
def analysis_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not analysis_policy.can_view(request.user):
        raise Http404
    items = RiskAnalysis.objects.prefetch_related("reviews").order_by("-period_start", "-id")
    return render(
        request,
        "risks/analysis_list.html",
        {"analyses": items, "can_run": analysis_policy.can_run(request.user), "active_area": "risks"},
    )


@login_required
def analysis_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not analysis_policy.can_run(request.user):
        raise Http404
    previous = RiskAnalysis.objects.filter(pk=request.GET.get("previous") or 0, status="signed_off").first()
    initial: dict[str, object] = {"previous": previous, "scope": previous.scope if previous else ""}
    if previous:
        initial["participants"] = list(previous.participants.all())
    form = AnalysisForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            analysis = analyses.analysis_create(
                by=request.user,
                name=data["name"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                deadline=data["deadline"],
                scope=data["scope"],
                participants=list(data["participants"]),
                previous=data["previous"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Analysis %(name)s planned.") % {"name": analysis.name})
            return redirect(analysis)
    return render(request, "risks/analysis_form.html", {"form": form, "active_area": "risks"})


@login_required
def analysis_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    analysis = _analysis_or_404(request, pk)
    reviews = list(analysis.reviews.select_related("risk", "reviewed_by"))
    done = sum(1 for review in reviews if review.reviewed_at)
    return render(
        request,
        "risks/analysis_detail.html",
        {
            "analysis": analysis,
            "reviews": reviews,
            "done": done,
            "total": len(reviews),
            "can_run": analysis_policy.can_review(request.user, analysis),
            "can_start": analysis_policy.can_start(request.user, analysis),
            "can_sign": analysis_policy.can_sign(request.user, analysis),
            "comparison": analyses.changes_since_previous(analysis),
            "active_area": "risks",
        },
    )


@login_required
def analysis_start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    analysis = _analysis_or_404(request, pk)
    if request.method == "POST":
        try:
            analyses.analysis_start(analysis=analysis, by=request.user)
        except PermissionDenied:
            raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect(analysis)


@login_required
def review_save(request: AuthenticatedHttpRequest, pk: int, review_pk: int) -> HttpResponse:
    analysis = _analysis_or_404(request, pk)
    review = get_object_or_404(RiskReview, pk=review_pk, analysis=analysis)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            analyses.risk_review(
                review=review,
                by=request.user,
                likelihood=form.cleaned_data["likelihood"],
                impact=form.cleaned_data["impact"],
                note=form.cleaned_data["note"],
            )
        except PermissionDenied:
            raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(risk)s reviewed.") % {"risk": review.risk.reference})
    elif request.method == "POST":
        messages.error(request, _("Choose likelihood and impact from 1 to 5."))
    return redirect(f"{analysis.get_absolute_url()}#review-{review.pk}")


@login_required
def analysis_sign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    analysis = _analysis_or_404(request, pk)
    if request.method == "POST":
        try:
            analysis = analyses.analysis_sign(
                analysis=analysis,
                by=request.user,
                decisions=request.POST.get("decisions", ""),
            )
        except PermissionDenied:
            raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if analysis.is_signed_off:
                messages.success(request, _("Signed off. The register is frozen in the report."))
                return redirect("risk_analysis_report", pk=analysis.pk)
            messages.success(request, _("Signed. The analysis waits for the other signature."))
    return redirect(analysis)


@login_required
def analysis_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    analysis = _analysis_or_404(request, pk)
    register = analyses.register_of(analysis)
    if analysis.is_signed_off:
        maps = [
            heatmap_of_snapshot(analysis.snapshot, residual=False),
            heatmap_of_snapshot(analysis.snapshot, residual=True),
        ]
    else:
        from ..models import Risk

        matrix = RiskMatrix.current()
        maps = [
            heatmap(Risk.objects.all(), matrix, residual=False, selected=None),
            heatmap(Risk.objects.all(), matrix, residual=True, selected=None),
        ]
    return render(
        request,
        "risks/analysis_report.html",
        {
            "analysis": analysis,
            "summary": analyses.summary(register),
            "heatmaps": maps,
            "comparison": analyses.changes_since_previous(analysis),
            "can_create_objective": analysis.is_signed_off and related.allowed(related.OBJECTIVES_CREATE, request.user),
            "active_area": "risks",
        },
    )


@login_required
def analysis_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The frozen register of a signed-off analysis, exactly as it was signed."""
    analysis = _analysis_or_404(request, pk)
    if not analysis.is_signed_off:
        raise Http404
    columns: list[object] = [*analyses.SNAPSHOT_FIELDS, "owner", "score", "residual_score"]
    return xlsx_response(
        sheet_name=analysis.name,
        header=columns,
        rows=([risk.get(column) for column in columns] for risk in analysis.snapshot.get("risks", [])),
        filename=f"risk-analysis-{analysis.pk}.xlsx",
    )
