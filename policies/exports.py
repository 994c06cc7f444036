"""Who acknowledged which version of a policy, as CSV or XLSX evidence (the rows the reader sees, filters applied)."""

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from core.spreadsheets import csv_response, safe_row, xlsx_response

from .models import Policy, PolicyVersion
from .selectors import AudienceRow

LIST_COLUMNS = [
    "title",
    "owner",
    "audience",
    "onboarding",
    "version_in_force",
    "published_at",
    "approved_by",
    "approved_at",
    "version_in_the_works",
    "its_status",
]

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
    return csv_response(header=list(COLUMNS), rows=_rows(policy, rows), filename=_filename(policy, "csv"))


def as_xlsx(policy: Policy, rows: list[AudienceRow]) -> HttpResponse:
    return xlsx_response(
        sheet_name="Acknowledgements",
        header=list(COLUMNS),
        rows=_rows(policy, rows),
        filename=_filename(policy, "xlsx"),
    )


def _when(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def _list_rows(policies: list[Policy], with_pending: bool) -> list[list[object]]:
    rows = []
    for policy in policies:
        current = policy.published[0] if policy.published else None  # type: ignore[attr-defined]  # Prefetch(to_attr=...) of the selector; not on the model type
        pending = next(
            (
                version
                for version in policy.visible_versions  # type: ignore[attr-defined]  # Prefetch(to_attr=...) of the selector; not on the model type
                if with_pending and version.status in (PolicyVersion.Status.DRAFT, PolicyVersion.Status.APPROVED)
            ),
            None,
        )
        rows.append(
            safe_row(
                [
                    policy.title,
                    policy.owner.email,
                    "; ".join(policy.audience) or "everyone",
                    policy.onboarding,
                    current.number if current else "",
                    _when(current.published_at) if current else "",
                    current.approved_by.email if current and current.approved_by else "",
                    _when(current.approved_at) if current else "",
                    pending.number if pending else "",
                    pending.status if pending else "",
                ]
            )
        )
    return rows


def _list_filename(extension: str) -> str:
    return f"policies-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def list_as_csv(policies: list[Policy], *, with_pending: bool) -> HttpResponse:
    return csv_response(
        header=list(LIST_COLUMNS), rows=_list_rows(policies, with_pending), filename=_list_filename("csv")
    )


def list_as_xlsx(policies: list[Policy], *, with_pending: bool) -> HttpResponse:
    return xlsx_response(
        sheet_name="Policies",
        header=list(LIST_COLUMNS),
        rows=_list_rows(policies, with_pending),
        filename=_list_filename("xlsx"),
    )
