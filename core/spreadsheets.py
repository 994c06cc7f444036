"""Spreadsheets in and out: exports whose cells never run as formulas (CSV injection), and a reader
of uploaded CSV/XLSX files that never reads past its row, column and size limits (a 5 KB workbook may
declare a million rows)."""

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

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


# --- reading uploads within limits --------------------------------------------------------

XLSX_MAX_UNPACKED = 50 * 1024 * 1024  # a workbook claiming to unpack to more than this is a zip bomb
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class SheetLimits:
    """What an upload may hold. ``rows`` counts every row below the first, blank ones included."""

    rows: int
    columns: int
    max_bytes: int = 5 * 1024 * 1024
    unpacked_bytes: int = XLSX_MAX_UNPACKED


@dataclass
class Sheet:
    """The records of a file's first sheet as text cells; ``declared_rows`` is what the file claims (or guesses)."""

    records: Iterator[list[str]]
    declared_rows: int | None

    def close(self) -> None:
        close: Callable[[], None] | None = getattr(self.records, "close", None)
        if close is not None:
            close()


def sheet_open(*, name: str, data: bytes, limits: SheetLimits) -> Sheet:
    """Open an uploaded .csv or .xlsx; ValidationError (with a message for a person) if it breaks a limit.

    Rows are counted as they are read, blank ones too, and reading stops at the first row past the
    limit; an XLSX whose declared dimension is past the limits is refused before any row is read.
    """
    lowered = name.lower()
    if not lowered.endswith((".csv", ".xlsx")):
        raise ValidationError(_("Upload a .csv or .xlsx file."), code="type")
    if len(data) > limits.max_bytes:
        raise ValidationError(
            _("The file is larger than %(mb)d MB. Split it into smaller files.")
            % {"mb": limits.max_bytes // (1024 * 1024)},
            code="size",
        )
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    declared: int | None
    if lowered.endswith(".csv"):
        text = _csv_text(data)
        records, declared = _csv_records(text), text.count("\n") + (0 if text.endswith("\n") else 1)
    else:
        records, declared = _xlsx_records(data, limits)
    return Sheet(records=_bounded(records, limits), declared_rows=declared)


def _too_many_rows(limits: SheetLimits) -> ValidationError:
    return ValidationError(
        _(
            "The file has more than %(max)d rows below its first row (blank rows count too). "
            "Split it into smaller files."
        )
        % {"max": limits.rows},
        code="rows",
    )


def _too_many_columns(limits: SheetLimits) -> ValidationError:
    return ValidationError(
        _("The file has more than %(max)d columns. Remove the columns that are not needed.") % {"max": limits.columns},
        code="columns",
    )


def _bounded(records: Iterator[list[str]], limits: SheetLimits) -> Iterator[list[str]]:
    try:
        for number, record in enumerate(records, 1):
            if number > limits.rows + 1:
                raise _too_many_rows(limits)
            if len(record) > limits.columns:
                if any(cell.strip() for cell in record[limits.columns :]):
                    raise _too_many_columns(limits)
                record = record[: limits.columns]
            yield record
    finally:
        close = getattr(records, "close", None)
        if close is not None:
            close()


def _csv_text(data: bytes) -> str:
    not_text = ValidationError(
        _("This .csv file is not UTF-8 text. Save it as CSV (UTF-8) and upload it again."), code="type"
    )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise not_text
    if CONTROL_CHARACTERS.search(text):
        raise not_text
    return text


def _csv_records(text: str) -> Iterator[list[str]]:
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]
    # Spreadsheets in locales with a decimal comma save CSV with semicolons.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        yield from reader
    except csv.Error as error:
        raise ValidationError(
            _("Line %(line)d of the file cannot be read as CSV: %(error)s") % {"line": reader.line_num, "error": error},
            code="type",
        )


def _xlsx_records(data: bytes, limits: SheetLimits) -> tuple[Iterator[list[str]], int | None]:
    import openpyxl

    not_xlsx = ValidationError(_("This .xlsx file is not an Excel workbook that can be read."), code="type")
    buffer = io.BytesIO(data)
    try:
        with zipfile.ZipFile(buffer) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise not_xlsx
    if unpacked > limits.unpacked_bytes:
        raise ValidationError(
            _("This workbook unpacks to more than %(mb)d MB. Split it into smaller files.")
            % {"mb": limits.unpacked_bytes // (1024 * 1024)},
            code="size",
        )
    try:
        workbook = openpyxl.load_workbook(buffer, read_only=True, data_only=True)
    except Exception:  # openpyxl fails on a bad workbook in many ways (KeyError, XML, zip, its own)
        raise not_xlsx
    try:
        if not workbook.worksheets:
            raise not_xlsx
        sheet = workbook.worksheets[0]
        # The <dimension> a workbook declares drives openpyxl's padding of missing rows and cells:
        # refuse a declaration past the limits before reading a single row.
        declared_rows, declared_columns = sheet.max_row, sheet.max_column
    except ValidationError:
        workbook.close()
        raise
    except Exception:
        workbook.close()
        raise not_xlsx
    if (declared_rows or 0) > limits.rows + 1 or (declared_columns or 0) > limits.columns:
        workbook.close()
        raise ValidationError(
            _(
                "This sheet declares %(rows)d rows and %(columns)d columns; at most %(max_rows)d rows below the "
                "first and %(max_columns)d columns can be imported. Remove the empty rows and columns or split "
                "the file."
            )
            % {
                "rows": declared_rows or 0,
                "columns": declared_columns or 0,
                "max_rows": limits.rows,
                "max_columns": limits.columns,
            },
            code="dimension",
        )
    return _xlsx_rows(workbook, sheet, limits, not_xlsx), declared_rows


def _xlsx_rows(workbook: Any, sheet: Any, limits: SheetLimits, not_xlsx: ValidationError) -> Iterator[list[str]]:
    try:
        # One row and one column past the limits, so that _bounded can tell a file that breaks them.
        for row in sheet.iter_rows(max_row=limits.rows + 2, max_col=limits.columns + 1, values_only=True):
            yield [cell_text(value) for value in row]
    except ValidationError:
        raise
    except GeneratorExit:
        raise
    except Exception:
        raise not_xlsx
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """A cell's value as the text a person sees in it (dates as YYYY-MM-DD, 3.0 as 3)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
