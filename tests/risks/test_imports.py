"""Importing risks from CSV and XLSX: a worker reads the file, a preview shows every row's errors and saves
nothing, then all rows or none are imported."""

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from guardian.shortcuts import get_perms

from accounts.models import User
from audit.models import AuditEvent
from isms.celery import app
from risks import services
from risks.models import Risk, RiskImport

MAX_ROWS = settings.IMPORT_MAX_ROWS

HEADER = "title,owner,likelihood,impact,residual_likelihood,residual_impact,treatment,status,next_review,assets"


def _csv(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


class Importer:
    """Uploads and confirms as a person does; the tasks they queue run (eagerly) once the request commits."""

    def __init__(self, on_commit) -> None:
        self.on_commit = on_commit

    def upload(self, client, content: bytes, name: str = "risks.csv"):
        with self.on_commit(execute=True):
            response = client.post("/risks/import/", {"file": SimpleUploadedFile(name, content)})
        return client.get(response["Location"]) if response.status_code == 302 else response

    def confirm(self, client, url: str):
        with self.on_commit(execute=True):
            response = client.post(url)
        return client.get(response["Location"], follow=True) if response.status_code == 302 else response


@pytest.fixture
def importer(django_capture_on_commit_callbacks) -> Iterator[Importer]:
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield Importer(django_capture_on_commit_callbacks)
    finally:
        app.conf.task_always_eager = eager


def _token(page: str) -> str:
    """The preview's Confirm address."""
    match = re.search(r'action="(/risks/import/[0-9a-f-]+/confirm/)"', page)
    assert match, "the preview offers no Confirm button"
    return match.group(1)


def _nothing_written() -> None:
    with schema_context("acme"):
        assert not Risk.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="risk.").exists()


def test_preview_shows_every_error_with_its_row_and_writes_nothing(acme, importer):
    content = _csv(
        "Phishing,security@acme.example,3,4,,,,,,",
        ",security@acme.example,3,4,,,,,,",
        "Lost laptop,nobody@acme.example,7,4,,,,,,",
        "Ransomware,ciso@acme.example,3,4,2,,sometimes,open,31/12/2026,",
        header=HEADER + ",colour",
    )
    client = acme.logged_in_client(acme.ciso)
    response = importer.upload(client, content)
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 row ready" in page and "3 rows with errors" in page
    for expected in (
        "Row 3, title: Give a title.",
        "Row 4, owner: No active person here has the e-mail address nobody@acme.example.",
        "Row 4, likelihood: 7 is not a whole number from 1 to 5.",
        "Row 5, residual_impact: Give both residual likelihood and residual impact, or neither.",
        "Row 5, treatment: sometimes is not one of: accept, avoid, mitigate, transfer.",
        "Row 5, next_review: 31/12/2026 is not a date written as YYYY-MM-DD.",
    ):
        assert expected in page
    assert page.count("not known and were ignored: colour.") == 1  # a warning, not an error per row
    assert "/confirm/" not in page  # no Confirm button while any row is wrong
    _nothing_written()


def test_confirming_a_clean_file_imports_every_row_with_references_permissions_and_audit(acme, importer):
    content = _csv(
        'Phishing of admins,security@acme.example,3,4,2,2,Mitigate,Being treated,2030-01-31,"CRM; ERP"',
        "Lost laptop,OPERATIONS@acme.example,2,2,,,transfer,,,",
        "Supplier breach,ciso@acme.example,5,5,,,ACCEPT,open,,Payroll",
    )
    client = acme.logged_in_client(acme.security)
    preview = importer.upload(client, content).content.decode()
    assert "3 rows ready" in preview and "0 rows with errors" in preview
    _nothing_written()  # the preview alone saves nothing
    response = importer.confirm(client, _token(preview))
    assert "3 risks imported." in response.content.decode()
    with schema_context("acme"):
        risks = list(Risk.objects.select_related("owner").order_by("reference"))
        assert [(risk.reference, risk.title, risk.owner.email) for risk in risks] == [
            ("R-001", "Phishing of admins", "security@acme.example"),
            ("R-002", "Lost laptop", "operations@acme.example"),
            ("R-003", "Supplier breach", "ciso@acme.example"),
        ]
        phishing, laptop, supplier = risks
        assert (phishing.treatment, phishing.status, phishing.next_review) == (
            "mitigate",
            "treated",
            dt.date(2030, 1, 31),
        )
        assert (phishing.residual_score, phishing.residual_level, phishing.inherent_level) == (4, "low", "high")
        assert phishing.assets == ["CRM", "ERP"]
        assert (laptop.treatment, laptop.status, laptop.residual_likelihood) == ("transfer", "open", None)
        assert (supplier.treatment, supplier.inherent_level, supplier.assets) == ("accept", "critical", ["Payroll"])
        operations = User.objects.get(pk=acme.operations.pk)
        assert set(get_perms(operations, laptop)) == {"view_risk", "change_risk"}
        assert get_perms(operations, phishing) == []
        created = AuditEvent.objects.filter(action="risk.created")
        assert sorted(event.object_id for event in created) == sorted(str(risk.pk) for risk in risks)
        imported = AuditEvent.objects.get(action="risk.imported")
        assert (imported.object_label, imported.changes) == ("3 risks", {"count": [None, 3]})
    again = importer.confirm(client, _token(preview))  # the same preview confirmed twice
    assert "There is no previewed upload to import" in again.content.decode()
    with schema_context("acme"):
        assert Risk.objects.count() == 3


def test_flags_and_optional_text_columns(acme, importer):
    content = _csv(
        "Backup gap,ciso@acme.example,2,3,x,YES,no,Ops,No offsite copy,Ransom,Single site",
        "Open Wi-Fi,ciso@acme.example,2,3,1,false,,,,,",
        "Typo,ciso@acme.example,2,3,maybe,,,,,,",
        header="title,owner,likelihood,impact,confidentiality,integrity,availability,category,description,threat,"
        "vulnerability",
    )
    client = acme.logged_in_client(acme.ciso)
    page = importer.upload(client, content).content.decode()
    assert "Row 4, confidentiality: maybe is not yes or no." in page
    good = _csv(*content.decode().splitlines()[1:3], header=content.decode().splitlines()[0])
    importer.confirm(client, _token(importer.upload(client, good).content.decode()))
    with schema_context("acme"):
        backup, wifi = Risk.objects.order_by("reference")
    assert (backup.confidentiality, backup.integrity, backup.availability) == (True, True, False)
    assert (backup.category, backup.description, backup.threat, backup.vulnerability) == (
        "Ops",
        "No offsite copy",
        "Ransom",
        "Single site",
    )
    assert (wifi.confidentiality, wifi.integrity, wifi.availability) == (True, False, False)


@pytest.mark.parametrize("how", ["owner deactivated after the preview", "the second write fails"])
def test_a_failure_while_writing_leaves_nothing(acme, monkeypatch, how, importer):
    content = _csv("First,ciso@acme.example,3,4,,,,,,", "Second,operations@acme.example,3,4,,,,,,")
    client = acme.logged_in_client(acme.ciso)
    token = _token(importer.upload(client, content).content.decode())
    if how == "owner deactivated after the preview":
        with schema_context("acme"):
            User.objects.filter(pk=acme.operations.pk).update(is_active=False)
        expected = "Row 3: the owner is no longer an active person here."
    else:
        real_create, calls = services.risk_create, []

        def failing_second(**kwargs):
            calls.append(kwargs["title"])
            risk = real_create(**kwargs)
            if len(calls) == 2:
                raise ValidationError("The database said no.")
            return risk

        monkeypatch.setattr(services, "risk_create", failing_second)
        expected = "Row 3: The database said no."
    page = importer.confirm(client, token).content.decode()
    assert f"Nothing was imported: {expected}" in page
    assert 'type="file"' in page  # back at the upload form
    _nothing_written()


def test_csv_with_semicolons_and_a_byte_order_mark(acme, importer):
    content = (
        "\ufefftitle;owner;likelihood;impact;assets;status\nÅtkomst utan MFA;ciso@acme.example;2;3;CRM, ERP;Öppen\n"
    )
    content += 'Läckage;ciso@acme.example;4;4;"Lön; HR";closed\n'
    client = acme.logged_in_client(acme.ciso)
    page = importer.upload(client, content.encode("utf-8")).content.decode()
    assert "Row 2, status: Öppen is not one of: accepted, closed, open, treated." in page  # English values and labels
    fixed = content.replace("Öppen", "open").encode("utf-8")
    importer.confirm(client, _token(importer.upload(client, fixed).content.decode()))
    with schema_context("acme"):
        assert list(Risk.objects.order_by("reference").values_list("title", "assets", "status")) == [
            ("Åtkomst utan MFA", ["CRM", "ERP"], "open"),
            ("Läckage", ["Lön", "HR"], "closed"),
        ]


@pytest.mark.parametrize("export_format", ["xlsx", "csv"])
def test_an_unedited_export_imports_back_as_new_risks(acme, make_risk, export_format, importer):
    make_risk(
        owner=acme.operations,
        title="=HYPERLINK(x)",  # the export guards it against formulas; the import undoes the guard
        likelihood=4,
        impact=5,
        residual_likelihood=2,
        residual_impact=3,
        treatment="transfer",
        next_review=dt.date(2031, 6, 30),
        assets=["CRM", "Payroll"],
        confidentiality=True,
        availability=True,
    )
    make_risk(title="Plain one", category="Suppliers")
    client = acme.logged_in_client(acme.ciso)
    exported = client.get(f"/risks/?format={export_format}").content
    page = importer.upload(client, exported, name=f"register.{export_format}").content.decode()
    assert "2 rows ready" in page
    assert "not known" not in page  # reference, score, levels … are known and ignored
    importer.confirm(client, _token(page))
    fields = (
        "title",
        "category",
        "owner_id",
        "likelihood",
        "impact",
        "residual_likelihood",
        "residual_impact",
        "inherent_level",
        "residual_level",
        "treatment",
        "status",
        "next_review",
        "assets",
        "confidentiality",
        "integrity",
        "availability",
    )
    with schema_context("acme"):
        risks = list(Risk.objects.order_by("reference").values_list("reference", *fields))
    assert [risk[0] for risk in risks] == ["R-001", "R-002", "R-003", "R-004"]
    assert [risk[1:] for risk in risks[2:]] == [risk[1:] for risk in risks[:2]]


def _xlsx_without_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("junk.csv", bytes(range(256)) * 40, "not UTF-8 text"),
        ("risks.xlsx", _csv("Phishing,ciso@acme.example,3,4,,,,,,"), "not an Excel workbook"),
        ("archive.xlsx", _xlsx_without_a_workbook(), "not an Excel workbook"),
        ("empty.csv", b"", "The file is empty."),
        ("blank.csv", b"\n ,, \n", "The file is empty."),
        ("header-only.csv", _csv(), "no risks below it"),
        ("huge.csv", _csv(*["Phishing,ciso@acme.example,3,4,,,,,,"] * 170_000), "larger than 5 MB"),
        ("risks.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "Upload a .csv or .xlsx file."),
        ("untitled.csv", _csv("ciso@acme.example,3,4", header="owner,likelihood,impact"), "no title column"),
        ("twice.csv", _csv("a,b", header="title,Title"), "The column title appears twice"),
        (
            "many.csv",
            _csv(*["Phishing,ciso@acme.example,3,4,,,,,,"] * (MAX_ROWS + 1)),
            f"more than {MAX_ROWS} rows",
        ),
    ],
)
def test_unusable_files_are_refused_with_a_clear_message(acme, name, content, message, importer):
    client = acme.logged_in_client(acme.ciso)
    response = importer.upload(client, content, name=name)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'class="field__error"' in page and "/confirm/" not in page
    _nothing_written()


def test_a_file_of_exactly_the_row_limit_is_read_and_previewed_page_by_page(acme, importer):
    assert MAX_ROWS == 50_000
    content = _csv(*[f"Risk {n},ciso@acme.example,3,4,,,,,," for n in range(MAX_ROWS)])
    client = acme.logged_in_client(acme.ciso)
    preview = importer.upload(client, content)
    page = preview.content.decode()
    assert f"{MAX_ROWS} rows ready" in page and f"Confirm: import {MAX_ROWS} risks" in page
    assert page.count("<tr><td>") == 100 and "Page 1 of 500" in page
    last = client.get(preview.request["PATH_INFO"] + "?page=500").content.decode()
    assert f"Risk {MAX_ROWS - 1}<" in last and f"<td>{MAX_ROWS + 1}</td>" in last
    _nothing_written()


def test_a_stale_or_forged_confirm_writes_nothing(acme, importer):
    client = acme.logged_in_client(acme.ciso)
    assert client.post("/risks/import/7a0e6c1e-1d52-4b8e-9a57-0f6f8d0c1a2b/confirm/").status_code == 404
    first = _token(importer.upload(client, _csv("First file,ciso@acme.example,3,4,,,,,,")).content.decode())
    second = _token(importer.upload(client, _csv("Second file,ciso@acme.example,3,4,,,,,,")).content.decode())
    assert client.post(first).status_code == 404  # a later upload replaces the earlier preview
    assert client.get(second).status_code == 405
    _nothing_written()
    importer.confirm(client, second)  # the latest preview is still there to confirm
    with schema_context("acme"):
        assert list(Risk.objects.values_list("title", flat=True)) == ["Second file"]


def test_a_failed_upload_drops_the_earlier_preview(acme, importer):
    client = acme.logged_in_client(acme.ciso)
    token = _token(importer.upload(client, _csv("Earlier,ciso@acme.example,3,4,,,,,,")).content.decode())
    importer.upload(client, b"", name="empty.csv")
    importer.confirm(client, token)
    _nothing_written()


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("ciso", True),
        ("security", True),
        ("staff", False),
        ("auditor", False),
        ("management", False),
        ("operations", False),
        ("admin", False),
    ],
)
def test_only_those_who_create_risks_may_import(acme, role, allowed, importer):
    client = acme.logged_in_client(getattr(acme, role))
    content = _csv("Phishing,ciso@acme.example,3,4,,,,,,")
    assert client.get("/risks/import/").status_code == (200 if allowed else 404)
    assert ('href="/risks/import/"' in client.get("/risks/").content.decode()) is allowed
    assert importer.upload(client, content).status_code == (200 if allowed else 404)
    if not allowed:
        # Nor may they see or confirm a preview someone with the right prepared.
        preview = importer.upload(acme.logged_in_client(acme.ciso), content)
        assert client.get(preview.request["PATH_INFO"]).status_code == 404
        assert client.post(_token(preview.content.decode())).status_code == 404
        _nothing_written()


def test_owners_are_this_tenants_active_people_only(acme, globex, importer):
    with schema_context("acme"):
        User.objects.filter(pk=acme.staff.pk).update(is_active=False)
    content = _csv("From globex,ciso@globex.example,3,4,,,,,,", "Gone,staff@acme.example,3,4,,,,,,")
    page = importer.upload(acme.logged_in_client(acme.ciso), content).content.decode()
    assert "Row 2, owner: No active person here has the e-mail address ciso@globex.example." in page
    assert "Row 3, owner: No active person here has the e-mail address staff@acme.example." in page
    _nothing_written()
    with schema_context("globex"):
        assert not Risk.objects.exists()


def test_rows_cannot_arrive_already_accepted(acme, importer):
    content = _csv("Phishing,ciso@acme.example,3,4,accepted", header="title,owner,likelihood,impact,status")
    page = importer.upload(acme.logged_in_client(acme.ciso), content).content.decode()
    assert "Risks cannot be imported as accepted" in page
    _nothing_written()


def _xlsx(cells: dict[str, object], *, dimension: bool = True) -> bytes:
    """A small workbook with these cells; without ``dimension`` its sheet declares no size."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for reference, value in cells.items():
        sheet[reference] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    if dimension:
        return buffer.getvalue()
    stripped = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<dimension [^>]*/>", b"", data)
            target.writestr(item, data)
    return stripped.getvalue()


def _nothing_kept() -> None:
    _nothing_written()
    with schema_context("acme"):
        assert not RiskImport.objects.exclude(status="failed").exists()
        assert not RiskImport.objects.filter(rows__isnull=False).exists()
        assert not RiskImport.objects.exclude(content=b"").exists()  # the refused file is not kept


def test_a_workbook_declaring_cell_xfd1048576_is_refused_before_a_row_is_read(acme, importer):
    bomb = _xlsx({"A1": "title", "B1": "owner", "A2": "Phishing", "B2": "ciso@acme.example", "XFD1048576": "x"})
    assert len(bomb) < 10_000
    client = acme.logged_in_client(acme.ciso)
    page = importer.upload(client, bomb, name="bomb.xlsx").content.decode()
    assert "This sheet declares 1048576 rows and 16384 columns" in page
    assert f"at most {MAX_ROWS} rows below the first and {settings.IMPORT_MAX_COLUMNS} columns" in page
    assert 'class="field__error"' in page and "/confirm/" not in page
    with schema_context("acme"):
        assert RiskImport.objects.get().rows_read == 0
    _nothing_kept()


def test_blank_rows_count_toward_the_row_limit(acme, importer, settings):
    settings.IMPORT_MAX_ROWS = 10
    client = acme.logged_in_client(acme.ciso)
    rows = ["Phishing,ciso@acme.example,3,4,,,,,,"] * 3 + [""] * 20 + ["Late row,ciso@acme.example,3,4,,,,,,"]
    page = importer.upload(client, _csv(*rows)).content.decode()
    assert "more than 10 rows below its first row (blank rows count too)" in page
    # A workbook that declares no size and hides a cell far below: reading stops at the limit.
    hidden = _xlsx({"A1": "title", "B1": "owner", "A2": "Phishing", "A60000": "x"}, dimension=False)
    page = importer.upload(client, hidden, name="hidden.xlsx").content.decode()
    assert "more than 10 rows below its first row (blank rows count too)" in page
    _nothing_kept()


def test_an_upload_is_read_by_a_worker_and_the_page_shows_how_far_it_got(acme, importer):
    client = acme.logged_in_client(acme.ciso)
    with importer.on_commit(execute=False):  # no worker has picked the task up yet
        response = client.post("/risks/import/", {"file": SimpleUploadedFile("r.csv", _csv("A,ciso@acme.example,3,4"))})
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for a worker to read the file" in page
    assert '<meta http-equiv="refresh" content="2">' in page  # polls without JavaScript
    with schema_context("acme"):
        batch = RiskImport.objects.get()
        assert not batch.rows.exists()  # nothing was read inside the request
        RiskImport.objects.filter(pk=batch.pk).update(status="parsing", rows_read=2000, rows_declared=50001)
    page = client.get(response["Location"]).content.decode()
    assert "Parsing row 2000 of 50001" in page and '<meta http-equiv="refresh"' in page


def test_the_import_task_refuses_to_run_in_the_public_schema(db):
    from core.tasks import PublicSchemaError
    from risks.tasks import risk_import_parse, risk_import_run

    for task in (risk_import_parse, risk_import_run):
        with pytest.raises(PublicSchemaError, match="needs a tenant schema"):
            task.apply(args=["7a0e6c1e-1d52-4b8e-9a57-0f6f8d0c1a2b"], throw=True)


def test_an_import_is_seen_by_its_uploader_only(acme, globex, importer):
    content = _csv("Phishing,ciso@acme.example,3,4,,,,,,")
    preview = importer.upload(acme.logged_in_client(acme.ciso), content)
    detail, confirm = preview.request["PATH_INFO"], _token(preview.content.decode())
    for client in (globex.logged_in_client(globex.ciso), acme.logged_in_client(acme.security)):
        assert client.get(detail).status_code == 404
        assert client.post(confirm).status_code == 404
    _nothing_written()
    with schema_context("globex"):
        assert not Risk.objects.exists()


def test_the_worker_reports_how_far_it_has_read(acme, monkeypatch):
    from risks import imports

    monkeypatch.setattr(imports, "PROGRESS_EVERY", 2)
    seen: list[tuple[int, int | None]] = []
    content = _csv(*["Phishing,ciso@acme.example,3,4,,,,,,"] * 4)
    with schema_context("acme"):
        parsed = imports.import_read(name="r.csv", data=content, progress=lambda n, m: seen.append((n, m)))
    assert parsed.good == 4
    assert seen == [(2, 5), (4, 5)]  # rows read (the header is row 1) of the rows the file holds


def test_reading_or_importing_past_the_time_limit_stops_and_writes_nothing(acme, importer, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from risks import imports, tasks

    assert tasks.risk_import_parse.soft_time_limit == settings.IMPORT_TASK_TIME_LIMIT
    assert tasks.risk_import_run.time_limit == settings.IMPORT_TASK_TIME_LIMIT + 30
    client = acme.logged_in_client(acme.ciso)
    content = _csv("Phishing,ciso@acme.example,3,4,,,,,,")
    preview = importer.upload(client, content).content.decode()

    def too_slow(**kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "risk_create", too_slow)
    page = importer.confirm(client, _token(preview)).content.decode()
    assert f"Nothing was imported: it took longer than {settings.IMPORT_TASK_TIME_LIMIT} seconds" in page
    monkeypatch.setattr(imports, "import_read", too_slow)
    page = importer.upload(client, content).content.decode()
    assert f"Reading the file took longer than {settings.IMPORT_TASK_TIME_LIMIT} seconds and was stopped" in page
    _nothing_kept()
