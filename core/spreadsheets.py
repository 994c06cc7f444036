"""Exports people open in spreadsheets: cells must never be run as formulas (CSV injection)."""

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def safe_row(values: list[object]) -> list[object]:
    return [safe_cell(value) for value in values]


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(
    *, sheet_name: str, header: list[object], rows: Iterable[list[object]], filename: str
) -> "HttpResponse":
    """One worksheet, formula-safe cells, as a download (written row by row: bounded memory per row)."""
    import io

    from django.http import HttpResponse
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def printable(value: object) -> object:
        # Control characters (typed into a title, say) are refused by openpyxl: drop them, not the export.
        return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name[:31])  # Excel's limit on sheet names
    sheet.append(header)
    for row in rows:
        sheet.append([printable(value) for value in safe_row(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(*, header: list[object], rows: Iterable[list[object]], filename: str) -> "HttpResponse":
    """The rows as a CSV download, formula-safe."""
    import csv

    from django.http import HttpResponse

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
    return response


def table_response(
    kind: str, *, sheet_name: str, header: list[object], rows: Iterable[list[object]], filename: str
) -> "HttpResponse":
    """A list's export: ``kind`` "xlsx" gives a workbook, anything else CSV; ``filename`` has no extension."""
    if kind == "xlsx":
        return xlsx_response(sheet_name=sheet_name, header=header, rows=rows, filename=f"{filename}.xlsx")
    return csv_response(header=header, rows=rows, filename=f"{filename}.csv")
