"""Who acknowledged which version of a policy, as CSV or XLSX evidence (the rows the reader sees, filters applied)."""

import csv

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from core.spreadsheets import safe_row, xlsx_response

from .models import Policy
from .selectors import AudienceRow

COLUMNS = ["policy", "person", "email", "roles", "status", "acknowledged_version", "acknowledged_at"]


def _rows(policy: Policy, rows: list[AudienceRow]) -> list[list[object]]:
    return [
        safe_row(
            [
                policy.title,
                row.person.full_name,
                row.person.email,
                "; ".join(group.name for group in row.person.groups.all()),
                row.state,
                row.acknowledgement.version.number if row.acknowledgement else "",
                timezone.localtime(row.acknowledgement.acknowledged_at).isoformat(timespec="seconds")
                if row.acknowledgement
                else "",
            ]
        )
        for row in rows
    ]


def _filename(policy: Policy, extension: str) -> str:
    return f"acknowledgements-{slugify(policy.title)}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def as_csv(policy: Policy, rows: list[AudienceRow]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(policy, "csv")}"'
    writer = csv.writer(response)
    writer.writerow(COLUMNS)
    writer.writerows(_rows(policy, rows))
    return response


def as_xlsx(policy: Policy, rows: list[AudienceRow]) -> HttpResponse:
    return xlsx_response(
        sheet_name="Acknowledgements",
        header=list(COLUMNS),
        rows=_rows(policy, rows),
        filename=_filename(policy, "xlsx"),
    )
