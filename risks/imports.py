"""Risks from a CSV or XLSX file: read it within limits, check every row, then import all rows or none."""

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import audit
from accounts.models import User
from core.fanout import tenant_task_enqueue
from core.spreadsheets import FORMULA_STARTS, SheetLimits, sheet_open

from . import exports, services
from .models import Risk, RiskImport, RiskImportRow
from .policies import risk_policy

MAX_BYTES = 5 * 1024 * 1024
# Rows a worker checks per progress update written to the page.
PROGRESS_EVERY = 1000
PREVIEW_PAGE_ROWS = 100
# The preview lists the errors of at most this many rows (the rest are counted).
PREVIEW_ERROR_ROWS = 200


def limits() -> SheetLimits:
    return SheetLimits(rows=settings.IMPORT_MAX_ROWS, columns=settings.IMPORT_MAX_COLUMNS, max_bytes=MAX_BYTES)


TEXT_COLUMNS = ("title", "description", "category", "threat", "vulnerability")
SCORE_COLUMNS = ("likelihood", "impact", "residual_likelihood", "residual_impact")
FLAG_COLUMNS = ("confidentiality", "integrity", "availability")
FIELD_COLUMNS = (
    *TEXT_COLUMNS,
    "owner",
    *SCORE_COLUMNS,
    "treatment",
    "status",
    "next_review",
    "assets",
    *FLAG_COLUMNS,
)
# Columns of the export that the register works out itself (reference, score, levels, acceptance):
# an edited export is re-imported without a word about them.
COMPUTED_COLUMNS = frozenset(exports.COLUMNS) - frozenset(FIELD_COLUMNS)
PREVIEW_COLUMNS = [
    ("title", gettext_lazy("Title")),
    ("owner", gettext_lazy("Owner")),
    ("likelihood", gettext_lazy("Likelihood")),
    ("impact", gettext_lazy("Impact")),
    ("residual_likelihood", gettext_lazy("Residual likelihood")),
    ("residual_impact", gettext_lazy("Residual impact")),
    ("treatment", gettext_lazy("Treatment")),
    ("status", gettext_lazy("Status")),
    ("next_review", gettext_lazy("Next review")),
]
TRUE_WORDS = frozenset({"yes", "true", "1", "x"})
FALSE_WORDS = frozenset({"no", "false", "0", ""})
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class RowError:
    column: str
    message: str


@dataclass
class ImportRow:
    number: int  # as a spreadsheet numbers it: the header is row 1
    values: dict[str, str]
    fields: dict[str, Any] = field(default_factory=dict)  # JSON-safe, as risks_import takes them
    errors: list[RowError] = field(default_factory=list)

    @property
    def cells(self) -> list[str]:
        return [self.values.get(column, "") for column, _label in PREVIEW_COLUMNS]

    def pending(self) -> dict[str, Any]:
        """What is kept between preview and confirm (in the session, so JSON only)."""
        return {"row": self.number, "fields": self.fields}


@dataclass
class ParsedImport:
    rows: list[ImportRow]
    warnings: list[str]

    @property
    def bad(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def good(self) -> int:
        return len(self.rows) - self.bad

    def pending(self) -> list[dict[str, Any]]:
        return [row.pending() for row in self.rows]


def import_read(*, name: str, data: bytes, progress: Callable[[int, int | None], None] | None = None) -> ParsedImport:
    """Read and check a .csv or .xlsx; ValidationError if the file as a whole cannot be used.

    ``progress(rows_read, rows_declared)`` is called every PROGRESS_EVERY rows.
    """
    sheet = sheet_open(name=name, data=data, limits=limits())
    try:
        header_number, header, rows = _table(sheet.records, sheet.declared_rows, progress)
    finally:
        sheet.close()
    return _rows_check(header_number, header, rows)


def _cell_clean(text: str) -> str:
    # Undo the export's guard against formulas ('=…), so a re-imported export keeps its text.
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        text = text[1:]
    return text.strip()


def _table(
    records: Iterable[list[str]], declared: int | None, progress: Callable[[int, int | None], None] | None
) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """The header (the first non-blank row) and the non-blank rows below it, each with its number."""
    header: list[str] | None = None
    header_number = 0
    rows: list[tuple[int, list[str]]] = []
    for number, record in enumerate(records, 1):
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number, declared)
        cells = [_cell_clean(cell) for cell in record]
        if not any(cells):
            continue
        if header is None:
            header, header_number = cells, number
            continue
        rows.append((number, cells))
    if header is None:
        raise ValidationError(_("The file is empty."), code="empty")
    if not rows:
        raise ValidationError(_("The file has a header row but no risks below it."), code="empty")
    return header_number, header, rows


def _column_name(text: str) -> str:
    """ "Residual likelihood", "residual-likelihood" and "residual_likelihood" name the same column."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _rows_check(header_number: int, header: list[str], records: list[tuple[int, list[str]]]) -> ParsedImport:
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for position, text in enumerate(header):
        name = _column_name(text)
        if not name or name in COMPUTED_COLUMNS:
            continue
        if name not in FIELD_COLUMNS:
            unknown.append(text)
        elif name in positions:
            raise ValidationError(
                _("The column %(column)s appears twice in row %(row)d.") % {"column": name, "row": header_number},
                code="header",
            )
        else:
            positions[name] = position
    if "title" not in positions:
        raise ValidationError(
            _("The file has no title column. Its first row must name the columns, as in an export of the register."),
            code="header",
        )
    warnings = []
    if unknown:
        warnings.append(
            _("These columns are not known and were ignored: %(columns)s.") % {"columns": ", ".join(unknown)}
        )
    rows = [
        ImportRow(
            number=number,
            values={name: cells[position] if position < len(cells) else "" for name, position in positions.items()},
        )
        for number, cells in records
    ]
    owners = _owners_by_email({row.values.get("owner", "").lower() for row in rows} - {""})
    choices = {"treatment": _choice_lookup(Risk.Treatment), "status": _choice_lookup(Risk.Status)}
    for row in rows:
        _row_check(row, owners, choices)
    return ParsedImport(rows=rows, warnings=warnings)


def _owners_by_email(emails: set[str]) -> dict[str, int]:
    """Active people of this tenant (its own schema) by lower-cased e-mail address."""
    people = User.objects.filter(is_active=True).annotate(address=Lower("email")).filter(address__in=emails)
    return dict(people.values_list("address", "pk"))


def _choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Value by value or label, in the reader's language or English, lower-cased."""
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        lookup[value.lower()] = value
        lookup[str(label).lower()] = value
        with translation.override("en"):
            lookup[str(label).lower()] = value
    return lookup


def _row_check(row: ImportRow, owners: Mapping[str, int], choices: Mapping[str, Mapping[str, str]]) -> None:
    values, fields = row.values, row.fields

    def error(column: str, message: str) -> None:
        row.errors.append(RowError(column=column, message=message))

    for column in TEXT_COLUMNS:
        if column in values:
            fields[column] = values[column]
    if not values["title"]:
        error("title", _("Give a title."))

    email = values.get("owner", "")
    if not email:
        error("owner", _("Give the e-mail address of the owner."))
    elif email.lower() not in owners:
        error("owner", _("No active person here has the e-mail address %(email)s.") % {"email": email})
    else:
        fields["owner"] = owners[email.lower()]

    for column in SCORE_COLUMNS:
        text = values.get(column, "")
        if not text:
            if column in ("likelihood", "impact"):
                error(column, _("Give a whole number from 1 to 5."))
            else:
                fields[column] = None
        elif text.isdigit() and 1 <= int(text) <= 5:
            fields[column] = int(text)
        else:
            error(column, _("%(value)s is not a whole number from 1 to 5.") % {"value": text})
    residual = [values.get(column, "") for column in ("residual_likelihood", "residual_impact")]
    if bool(residual[0]) != bool(residual[1]):
        missing = "residual_impact" if residual[0] else "residual_likelihood"
        error(missing, _("Give both residual likelihood and residual impact, or neither."))

    for column, lookup in choices.items():
        text = values.get(column, "")
        if not text:
            continue  # the register's default
        if column == "status" and lookup.get(text.lower()) == Risk.Status.ACCEPTED:
            # Acceptance is a decision by Management or the CISO, recorded with its justification.
            error(column, _("Risks cannot be imported as accepted: accept them on the risk page."))
        elif text.lower() in lookup:
            fields[column] = lookup[text.lower()]
        else:
            error(
                column,
                _("%(value)s is not one of: %(choices)s.")
                % {"value": text, "choices": ", ".join(sorted(set(lookup.values())))},
            )

    review = values.get("next_review", "")
    if review:
        try:
            if not ISO_DATE.fullmatch(review):
                raise ValueError(review)
            fields["next_review"] = dt.date.fromisoformat(review).isoformat()
        except ValueError:
            error("next_review", _("%(value)s is not a date written as YYYY-MM-DD.") % {"value": review})
    else:
        fields["next_review"] = None

    if "assets" in values:
        fields["assets"] = [part.strip() for part in re.split(r"[;,]", values["assets"]) if part.strip()]

    for column in FLAG_COLUMNS:
        text = values.get(column, "").lower()
        if text in TRUE_WORDS:
            fields[column] = True
        elif text in FALSE_WORDS:
            fields[column] = False
        else:
            error(column, _("%(value)s is not yes or no.") % {"value": values[column]})

    _model_check(row)


def _model_check(row: ImportRow) -> None:
    """The model's own field rules (lengths, choices, scales), without a query per row."""
    fields = {name: value for name, value in row.fields.items() if name != "owner"}
    if fields.get("next_review"):
        fields["next_review"] = dt.date.fromisoformat(fields["next_review"])
    checked = set(fields) - {error.column for error in row.errors}
    excluded = [model_field.name for model_field in Risk._meta.fields if model_field.name not in checked]
    try:
        Risk(**fields).clean_fields(exclude=excluded)
    except ValidationError as error:
        for column, messages in error.message_dict.items():
            row.errors.extend(RowError(column=column, message=message) for message in messages)


@transaction.atomic
def risks_import(*, by: User, rows: Sequence[Mapping[str, Any]]) -> list[Risk]:
    """Create one risk per checked row (as ``ImportRow.pending`` keeps them): all of them, or none."""
    if not risk_policy.can_create(by):
        raise PermissionDenied
    owners = User.objects.filter(is_active=True).in_bulk({row["fields"].get("owner") for row in rows})
    created = []
    for row in rows:
        fields = {name: value for name, value in row["fields"].items() if name in FIELD_COLUMNS}
        owner = owners.get(fields.pop("owner", None))
        if owner is None:
            raise ValidationError(
                _("Row %(row)d: the owner is no longer an active person here.") % {"row": row["row"]}, code="owner"
            )
        if fields.get("next_review"):
            fields["next_review"] = dt.date.fromisoformat(fields["next_review"])
        try:
            created.append(services.risk_create(by=by, owner=owner, **fields))
        except ValidationError as error:
            raise ValidationError(
                _("Row %(row)d: %(error)s") % {"row": row["row"], "error": " ".join(error.messages)}, code="row"
            )
    count = len(created)
    audit.record(
        actor=by,
        action="risk.imported",
        object_type="risks.risk",
        object_label=f"{count} risks",
        changes={"count": [None, count]},
    )
    return created


# --- the import as a job: upload, read by a worker, preview, confirm, import by a worker ------


def _queue(task_name: str, batch: RiskImport) -> None:
    from . import tasks

    tenant_task_enqueue(getattr(tasks, task_name), args=[str(batch.pk)])


@transaction.atomic
def risk_import_start(*, by: User, upload: UploadedFile) -> RiskImport:
    """Keep an uploaded file for a worker to read; a new upload replaces its uploader's earlier previews."""
    if not risk_policy.can_create(by):
        raise PermissionDenied
    name = upload.name or ""
    if not name.lower().endswith((".csv", ".xlsx")):
        raise ValidationError(_("Upload a .csv or .xlsx file."), code="type")
    too_big = ValidationError(
        _("The file is larger than %(mb)d MB. Split it into smaller files.") % {"mb": MAX_BYTES // (1024 * 1024)},
        code="size",
    )
    if upload.size is not None and upload.size > MAX_BYTES:
        raise too_big
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)  # never more than the limit, whatever the size claimed
    if len(data) > MAX_BYTES:
        raise too_big
    RiskImport.objects.filter(created_by=by).exclude(
        status__in=[RiskImport.Status.IMPORTING, RiskImport.Status.IMPORTED]
    ).delete()
    batch = RiskImport.objects.create(created_by=by, filename=name[-200:], content=data)
    _queue("risk_import_parse", batch)
    return batch


def risk_import_parse(*, batch_id: str) -> None:
    """The worker's half of an upload: read and check every row, keep them for the preview, drop the file."""
    batch = RiskImport.objects.filter(
        pk=batch_id, status__in=[RiskImport.Status.QUEUED, RiskImport.Status.PARSING]
    ).first()
    if batch is None:
        return  # replaced by a later upload, or already read
    RiskImport.objects.filter(pk=batch.pk).update(status=RiskImport.Status.PARSING, rows_read=0)
    RiskImportRow.objects.filter(batch=batch).delete()  # a redelivered task starts over

    def progress(rows_read: int, rows_declared: int | None) -> None:
        RiskImport.objects.filter(pk=batch.pk).update(rows_read=rows_read, rows_declared=rows_declared)

    try:
        parsed = import_read(name=batch.filename, data=bytes(batch.content), progress=progress)
    except ValidationError as error:
        _import_fail(batch, " ".join(error.messages))
        return
    except SoftTimeLimitExceeded:
        _import_fail(
            batch,
            _("Reading the file took longer than %(seconds)d seconds and was stopped. Split it into smaller files.")
            % {"seconds": settings.IMPORT_TASK_TIME_LIMIT},
        )
        return
    with transaction.atomic():
        RiskImportRow.objects.bulk_create(
            (
                RiskImportRow(
                    batch=batch,
                    number=row.number,
                    cells=row.cells,
                    fields=row.fields,
                    errors=[[error.column, error.message] for error in row.errors],
                )
                for row in parsed.rows
            ),
            batch_size=2000,
        )
        RiskImport.objects.filter(pk=batch.pk).update(
            status=RiskImport.Status.READY,
            content=b"",
            rows_read=len(parsed.rows),
            good=parsed.good,
            bad=parsed.bad,
            warnings=parsed.warnings,
        )


def _import_fail(batch: RiskImport, message: str) -> None:
    RiskImportRow.objects.filter(batch=batch).delete()
    RiskImport.objects.filter(pk=batch.pk).update(status=RiskImport.Status.FAILED, content=b"", error=message)


@transaction.atomic
def risk_import_confirm(*, by: User, batch: RiskImport) -> RiskImport:
    """Queue the import of a previewed file without errors; once only, and only by its uploader."""
    if not risk_policy.can_create(by) or batch.created_by_id != by.pk:
        raise PermissionDenied
    locked = RiskImport.objects.select_for_update().get(pk=batch.pk)
    if locked.status != RiskImport.Status.READY or locked.bad or not locked.good:
        raise ValidationError(
            _("There is no previewed upload to import (a later upload replaces it). Upload the file again."),
            code="state",
        )
    locked.status = RiskImport.Status.IMPORTING
    locked.save(update_fields=["status"])
    _queue("risk_import_run", locked)
    return locked


def risk_import_run(*, batch_id: str) -> None:
    """The worker's half of a confirm: every checked row becomes a risk, or none does."""
    batch = RiskImport.objects.select_related("created_by").filter(pk=batch_id).first()
    if batch is None or batch.status != RiskImport.Status.IMPORTING:
        return
    rows = [{"row": number, "fields": fields} for number, fields in batch.rows.values_list("number", "fields")]
    try:
        created = risks_import(by=batch.created_by, rows=rows)
    except (ValidationError, PermissionDenied) as error:
        reason = " ".join(error.messages) if isinstance(error, ValidationError) else _("You may no longer import.")
        _import_fail(batch, _("Nothing was imported: %(error)s Upload the file again to check it.") % {"error": reason})
        return
    except SoftTimeLimitExceeded:
        _import_fail(
            batch,
            _("Nothing was imported: it took longer than %(seconds)d seconds. Split the file into smaller files.")
            % {"seconds": settings.IMPORT_TASK_TIME_LIMIT},
        )
        return
    RiskImportRow.objects.filter(batch=batch).delete()
    RiskImport.objects.filter(pk=batch.pk).update(status=RiskImport.Status.IMPORTED, imported=len(created))
