"""The bounded reader of uploaded spreadsheets: limits hold before and while rows are read."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from core.spreadsheets import SheetLimits, sheet_open

LIMITS = SheetLimits(rows=5, columns=3)


def _xlsx(cells: dict[str, object]) -> bytes:
    workbook = openpyxl.Workbook()
    for reference, value in cells.items():
        workbook.active[reference] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _read(name: str, data: bytes, limits: SheetLimits = LIMITS) -> list[list[str]]:
    sheet = sheet_open(name=name, data=data, limits=limits)
    try:
        return list(sheet.records)
    finally:
        sheet.close()


def test_a_declared_dimension_past_the_limits_is_refused_before_any_row_is_read():
    bomb = _xlsx({"A1": "title", "XFD1048576": "x"})
    with pytest.raises(ValidationError) as refused:
        sheet_open(name="bomb.xlsx", data=bomb, limits=SheetLimits(rows=50_000, columns=100))
    assert refused.value.code == "dimension"
    assert "declares 1048576 rows and 16384 columns" in refused.value.messages[0]


def test_rows_are_counted_blank_ones_too_and_reading_stops_at_the_limit():
    assert _read("ok.csv", b"title\n" + b"a\n" * 5) == [["title"]] + [["a"]] * 5
    with pytest.raises(ValidationError, match="more than 5 rows below its first row"):
        _read("blank.csv", b"title\na\n" + b"\n" * 10 + b"b\n")


def test_cells_past_the_column_limit_are_refused_unless_empty():
    assert _read("wide.csv", b"a,b,c,,,\n") == [["a", "b", "c"]]
    with pytest.raises(ValidationError, match="more than 3 columns"):
        _read("wide.csv", b"a,b,c,d\n")
    with pytest.raises(ValidationError, match="declares 1 rows and 4 columns"):
        _read("wide.xlsx", _xlsx({"A1": "a", "D1": "d"}), SheetLimits(rows=5, columns=3))


def test_cells_read_as_a_person_sees_them():
    import datetime as dt

    rows = _read("cells.xlsx", _xlsx({"A1": 3.0, "B1": dt.datetime(2026, 12, 3, 10, 0), "C1": True}))
    assert rows == [["3", "2026-12-03", "true"]]
