"""What every training page shares: its area, its page size, the links a person may follow, the export."""

from typing import Any

from django.http import HttpResponse

from core.spreadsheets import table_response

from ..policies import training_policy

PAGE_SIZE = 50
AREA = "training"


def _links(user: Any) -> dict[str, bool]:
    return {
        "can_manage": training_policy.can_manage_modules(user),
        "can_view_compliance": training_policy.can_view_compliance(user),
        "can_change_settings": training_policy.can_change_settings(user),
    }


def _export(export: str, name: str, sheet: str, header: list[Any], rows: Any) -> HttpResponse:
    return table_response(export, sheet_name=sheet, header=header, rows=rows, filename=name)
