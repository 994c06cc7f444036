"""Importing risks from CSV or XLSX: upload, preview with per-row errors, confirm. (Being built.)"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    raise Http404


@login_required
def import_confirm(request: HttpRequest) -> HttpResponse:
    raise Http404
