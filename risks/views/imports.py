"""Importing risks from CSV or XLSX: upload, preview with per-row errors, confirm."""

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.http import posted

from .. import imports
from ..policies import risk_policy

# The checked rows of the last preview, and the token its Confirm button carries.
SESSION_KEY = "risks.import"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        allow_empty_file=True,  # refused by the import with its own message
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
        help_text=gettext_lazy(
            "The columns of an export of the register. Title, owner (e-mail address), likelihood and impact "
            "(1–5) are required. Up to 5,000 rows and 5 MB."
        ),
    )


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    if not risk_policy.can_create(request.user):
        raise Http404
    form = ImportForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST":
        request.session.pop(SESSION_KEY, None)  # a new upload replaces any earlier preview
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                parsed = imports.import_parse(upload)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                token = ""
                if not parsed.bad:
                    token = secrets.token_urlsafe(24)
                    request.session[SESSION_KEY] = {"token": token, "rows": parsed.pending()}
                return render(
                    request,
                    "risks/import_preview.html",
                    {
                        "filename": upload.name,
                        "rows": parsed.rows,
                        "columns": imports.PREVIEW_COLUMNS,
                        "warnings": parsed.warnings,
                        "good": parsed.good,
                        "bad": parsed.bad,
                        "token": token,
                        "active_area": "risks",
                    },
                )
    return render(request, "risks/import_upload.html", {"form": form, "active_area": "risks"})


@login_required
def import_confirm(request: HttpRequest) -> HttpResponse:
    if not risk_policy.can_create(request.user):
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    pending = request.session.get(SESSION_KEY)
    token = request.POST.get("token", "")
    if not pending or not token or not constant_time_compare(token, pending["token"]):
        messages.error(
            request, _("There is no previewed upload to import (a later upload replaces it). Upload the file again.")
        )
        return redirect("risk_import")
    del request.session[SESSION_KEY]  # one import per preview, whatever happens next
    try:
        risks = imports.risks_import(by=request.user, rows=pending["rows"])  # type: ignore[arg-type]
    except PermissionDenied:
        raise Http404
    except ValidationError as error:
        messages.error(
            request,
            _("Nothing was imported: %(error)s Upload the file again to check it.")
            % {"error": " ".join(error.messages)},
        )
        return redirect("risk_import")
    count = len(risks)
    messages.success(request, ngettext("%(n)d risk imported.", "%(n)d risks imported.", count) % {"n": count})
    return redirect("risks")
