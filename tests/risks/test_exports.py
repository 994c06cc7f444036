"""Risk register exports: CSV and XLSX hold exactly the rows the filtered list shows."""

import csv
import io

import openpyxl


def test_csv_and_xlsx_exports_hold_exactly_the_visible_filtered_rows(acme, make_risk):
    make_risk(owner=acme.staff, title="=cmd|' /C calc'!A0", likelihood=2, impact=2)
    make_risk(owner=acme.ciso, title="Hidden from staff")
    client = acme.logged_in_client(acme.staff)
    rows = list(csv.reader(io.StringIO(client.get("/risks/?format=csv").content.decode())))
    assert rows[0][:3] == ["reference", "title", "category"]
    assert [row[1] for row in rows[1:]] == ["'=cmd|' /C calc'!A0"]
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/risks/?format=xlsx").content))
    sheet = workbook.active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 2 and values[1][1] == "'=cmd|' /C calc'!A0" and values[1][6] == 4
