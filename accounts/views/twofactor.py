"""Enrolling an authenticator and verifying a session with a second factor."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.http import AuthenticatedHttpRequest, next_url, posted

from .. import twofactor
from ..forms import OTPCodeForm
from ..models import User
from ..sessions import reauth_required


def _next_url(request: AuthenticatedHttpRequest) -> str:
    return next_url(request)


@never_cache
@login_required
@reauth_required
def enrol(request: AuthenticatedHttpRequest) -> HttpResponse:
    user: User = request.user
    if twofactor.has_confirmed_device(user) and not user.is_verified():
        # Adding a device needs the session to be verified with an existing one first.
        return redirect(f"/2fa/verify/?next={request.path}")
    device = twofactor.totp_pending_device(user)
    form = OTPCodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        codes = twofactor.totp_confirm(request=request, user=user, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next": _next_url(request)})
        wait = twofactor.wait_seconds(device)
        if wait:
            form.add_error(
                "code", _("Too many wrong codes: wait %(seconds)d s, then type the newest code.") % {"seconds": wait}
            )
        else:
            form.add_error("code", _("That code is not valid. Check the time on your phone and try the newest code."))
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "qr": twofactor.totp_qr_data_uri(device, user),
            "secret": twofactor.totp_secret_base32(device),
            "next": _next_url(request),
        },
    )


@never_cache
@login_required
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    user: User = request.user
    if not twofactor.has_confirmed_device(user):
        return redirect(f"/2fa/enrol/?next={_next_url(request)}")
    form = OTPCodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if twofactor.verify(request=request, user=user, code=form.cleaned_data["code"]):
            return redirect(_next_url(request))
        form.add_error("code", _("That code is not valid or has been used already."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
@reauth_required
def backup_codes_regenerate(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("profile")
    user: User = request.user
    codes = twofactor.backup_codes_regenerate(request=request, user=user)
    return render(request, "accounts/backup_codes.html", {"codes": codes, "next": "/profile/"})


@login_required
@reauth_required
def device_remove(request: AuthenticatedHttpRequest, device_id: int) -> HttpResponse:
    if request.method == "POST":
        user: User = request.user
        if twofactor.totp_remove(request=request, user=user, device_id=device_id):
            messages.success(request, _("The authenticator was removed."))
    return redirect("profile")
