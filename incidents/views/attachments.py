"""Uploading and downloading incident attachments (encrypted at rest, decrypted for allowed readers only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from core.http import AuthenticatedHttpRequest

from .. import selectors
from ..attachments import (
    AttachmentDamaged,
    SizeLimitUploadHandler,
    attachment_add,
    attachment_open,
    too_large_message,
)
from ..forms import AttachmentForm


@csrf_exempt  # the handler must be installed before the CSRF check reads the body; csrf_protect runs right after
@login_required
def attachment_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
    return _attachment_upload(request, pk)


@csrf_protect
def _attachment_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    incident = selectors.incident_for(request.user, pk)
    if incident is None:
        raise Http404
    form = AttachmentForm(request.POST, request.FILES)  # parses the body, through the size-limit handler
    if getattr(request, "upload_too_large", False):
        messages.error(request, too_large_message())
        return redirect(incident)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return redirect(incident)
    upload = form.cleaned_data["file"]
    try:
        attachment = attachment_add(
            incident=incident,
            by=request.user,
            upload=upload,
            filename=upload.name or "attachment",
            size=upload.size or 0,
        )
    except PermissionDenied:
        raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(name)s” attached (stored encrypted).") % {"name": attachment.filename})
    return redirect(incident)


@login_required
def attachment_download(request: AuthenticatedHttpRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    incident = selectors.incident_for(request.user, pk)
    attachment = incident.attachments.filter(pk=attachment_pk).first() if incident else None
    if attachment is None:
        raise Http404
    request.audit_object = incident
    try:
        plaintext = attachment_open(attachment=attachment, by=request.user)
    except PermissionDenied:
        raise Http404
    except AttachmentDamaged as error:
        return render(
            request,
            "incidents/attachment_damaged.html",
            {"incident": incident, "attachment": attachment, "reason": str(error), "active_area": "incidents"},
            status=409,
        )
    response = FileResponse(
        plaintext, as_attachment=True, filename=attachment.filename, content_type=attachment.content_type
    )
    response["Content-Length"] = str(attachment.size)
    response["Cache-Control"] = "private, no-store"
    return response
