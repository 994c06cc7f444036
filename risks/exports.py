"""The risk register as CSV or XLSX, exactly the rows the reader sees with the filters applied."""

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone

from core.spreadsheets import csv_response, safe_row, xlsx_response

from .models import Risk

COLUMNS = [
    "reference",
    "title",
    "category",
    "owner",
    "likelihood",
    "impact",
    "score",
    "inherent_level",
    "residual_likelihood",
    "residual_impact",
    "residual_score",
    "residual_level",
    "treatment",
    "status",
    "next_review",
    "accepted_by",
    "acceptance_expires",
    "assets",
    "confidentiality",
    "integrity",
    "availability",
]


def _rows(risks: QuerySet[Risk]) -> list[list[object]]:
    return [
        safe_row(
            [
                risk.reference,
                risk.title,
                risk.category,
                risk.owner.email,
                risk.likelihood,
                risk.impact,
                risk.score,
                risk.inherent_level,
                risk.residual_likelihood,
                risk.residual_impact,
                risk.residual_score,
                risk.residual_level,
                risk.treatment,
                risk.status,
                risk.next_review.isoformat() if risk.next_review else "",
                risk.accepted_by.email if risk.accepted_by else "",
                risk.acceptance_expires.isoformat() if risk.acceptance_expires else "",
                "; ".join(risk.assets),
                risk.confidentiality,
                risk.integrity,
                risk.availability,
            ]
        )
        for risk in risks.select_related("owner", "accepted_by")
    ]


def _filename(extension: str) -> str:
    return f"risk-register-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def as_csv(risks: QuerySet[Risk]) -> HttpResponse:
    return csv_response(header=list(COLUMNS), rows=_rows(risks), filename=_filename("csv"))


def as_xlsx(risks: QuerySet[Risk]) -> HttpResponse:
    return xlsx_response(
        sheet_name="Risk register", header=list(COLUMNS), rows=_rows(risks), filename=_filename("xlsx")
    )
