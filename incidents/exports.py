"""The incident log as CSV or XLSX: exactly the rows the reader sees with the filters applied."""

import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone

from core.spreadsheets import csv_response, safe_row, xlsx_response

from .models import Incident

COLUMNS = [
    "reference",
    "title",
    "type",
    "severity",
    "status",
    "reported_at",
    "occurred_at",
    "detected_at",
    "resolved_at",
    "closed_at",
    "reporter",
    "assignee",
    "affected",
    "personal_data_breach",
    "breach_deadline",
    "authority_notified_at",
    "subjects_notified_at",
]


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _rows(incidents: QuerySet[Incident]) -> Iterator[list[object]]:
    for incident in incidents.select_related("reporter", "assignee").iterator(chunk_size=2000):
        yield safe_row(
            [
                incident.reference,
                incident.title,
                incident.type,
                incident.severity or "",
                incident.status,
                _when(incident.reported_at),
                _when(incident.occurred_at),
                _when(incident.detected_at),
                _when(incident.resolved_at),
                _when(incident.closed_at),
                incident.reporter.email,
                incident.assignee.email if incident.assignee else "",
                "; ".join(incident.affected),
                incident.personal_data_breach,
                _when(incident.breach_deadline),
                _when(incident.authority_notified_at),
                _when(incident.subjects_notified_at),
            ]
        )


def _filename(extension: str) -> str:
    return f"incidents-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def as_csv(incidents: QuerySet[Incident]) -> HttpResponse:
    return csv_response(header=list(COLUMNS), rows=_rows(incidents), filename=_filename("csv"))


def as_xlsx(incidents: QuerySet[Incident]) -> HttpResponse:
    return xlsx_response(
        sheet_name="Incidents", header=list(COLUMNS), rows=_rows(incidents), filename=_filename("xlsx")
    )
