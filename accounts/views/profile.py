"""A person's own page: password, two-factor devices, backup codes, recent logins."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.http import AuthenticatedHttpRequest

from .. import twofactor
from ..models import LoginRecord, User


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    user: User = request.user
    return render(
        request,
        "accounts/profile.html",
        {
            "devices": TOTPDevice.objects.filter(user=user, confirmed=True),
            "backup_codes_left": twofactor.backup_codes_left(user),
            "two_factor_required": twofactor.is_required(request, user),
            "logins": LoginRecord.objects.filter(user=user)[:10],
        },
    )
