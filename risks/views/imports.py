"""Importing risks from CSV or XLSX: upload, a worker reads it (the page shows how far), preview, confirm."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.http import AuthenticatedHttpRequest, paginate, posted

from .. import imports
from ..models import RiskImport
from ..policies import risk_policy
from ..selectors import risk_import_of


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        allow_empty_file=True,  # refused by the import with its own message
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own arguments
        self.fields["file"].help_text = _(
            "The columns of an export of the register. Title, owner (e-mail address), likelihood and impact "
            "(1–5) are required. Up to %(rows)s rows and %(mb)d MB."
        ) % {"rows": f"{settings.IMPORT_MAX_ROWS:,}", "mb": imports.MAX_BYTES // (1024 * 1024)}

    def refused(self, message: str) -> "ImportForm":
        """The form again, empty, with the reason the worker refused the last file under its field."""
        self.cleaned_data = {}
        self.add_error("file", message)
        return self


@login_required
def import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not risk_policy.can_create(request.user):
        raise Http404
    form = ImportForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = imports.risk_import_start(by=request.user, upload=form.cleaned_data["file"])
        except PermissionDenied:
            raise Http404
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect(batch)
    return render(request, "risks/import_upload.html", {"form": form, "active_area": "risks"})


@login_required
def import_detail(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
    """Where the upload is: waiting or being read (the page refreshes itself), refused, previewed, imported."""
    batch = risk_import_of(request.user, pk)
    if batch is None:
        raise Http404
    if batch.status == RiskImport.Status.FAILED:
        form = ImportForm().refused(batch.error)
        return render(request, "risks/import_upload.html", {"form": form, "active_area": "risks"})
    if batch.status != RiskImport.Status.READY:
        return render(request, "risks/import_progress.html", {"batch": batch, "active_area": "risks"})
    page, query = paginate(request, batch.rows.all(), imports.PREVIEW_PAGE_ROWS)
    errors = list(batch.rows.exclude(errors=[])[: imports.PREVIEW_ERROR_ROWS]) if batch.bad else []
    return render(
        request,
        "risks/import_preview.html",
        {
            "batch": batch,
            "page": page,
            "query": query,
            "columns": imports.PREVIEW_COLUMNS,
            "errors": errors,
            "more_errors": max(batch.bad - len(errors), 0),
            "active_area": "risks",
        },
    )


@login_required
def import_confirm(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
    batch = risk_import_of(request.user, pk)
    if batch is None:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        imports.risk_import_confirm(by=request.user, batch=batch)
    except PermissionDenied:
        raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("risk_import")
    return redirect(batch)
