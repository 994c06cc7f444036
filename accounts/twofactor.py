"""Two-factor authentication with django-otp: TOTP apps plus ten single-use backup codes."""

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import get_public_schema_name

import audit
from audit.models import AuditEvent
from core.schemas import current_schema_name

from .models import User
from .roles import PRIVILEGED_ROLES

BACKUP_CODE_COUNT = 10
BACKUP_DEVICE_NAME = "Backup codes"


def is_required(request: HttpRequest, user: User) -> bool:
    """Operators, privileged roles, everyone in a tenant that asks for it, and anyone who set up an
    authenticator app (a second factor they chose protects them only if every login asks for it).
    Backup codes alone do not count: they are left over when someone removes their app."""
    if current_schema_name() == get_public_schema_name():
        return True
    if PRIVILEGED_ROLES & set(user.role_names):
        return True
    if getattr(getattr(request, "tenant", None), "require_two_factor", False):
        return True
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_confirmed_device(user: User) -> bool:
    return bool(user_has_device(user, confirmed=True))


def totp_pending_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_qr_data_uri(device: TOTPDevice, user: User) -> str:
    """The provisioning QR code as an SVG data URI, drawn here (no external service)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def wait_seconds(device: TOTPDevice) -> int:
    """Seconds left before django-otp's throttling accepts another code from this device (0 = now)."""
    allowed, details = device.verify_is_allowed()
    if allowed or not details or not details.get("locked_until"):
        return 0
    from django.utils import timezone

    return max(1, int((details["locked_until"] - timezone.now()).total_seconds()) + 1)


def totp_secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def totp_confirm(*, request: HttpRequest, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm a new authenticator with a code from it; returns fresh backup codes, or None if wrong."""
    if not device.verify_token(code.strip().replace(" ", "")):
        audit.record(
            actor=user, action="2fa.enrolment_failed", obj=user, request=request, kind=AuditEvent.Kind.SECURITY
        )
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    audit.record(
        actor=user,
        action="2fa.enrolled",
        obj=user,
        request=request,
        kind=AuditEvent.Kind.SECURITY,
        changes={"device": [None, device.name]},
    )
    return backup_codes_regenerate(request=request, user=user)


@transaction.atomic
def backup_codes_regenerate(*, request: HttpRequest, user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    audit.record(
        actor=user, action="2fa.backup_codes_regenerated", obj=user, request=request, kind=AuditEvent.Kind.SECURITY
    )
    return codes


@transaction.atomic
def verify(*, request: HttpRequest, user: User, code: str) -> bool:
    """Check a code from an authenticator or a backup code (used up); mark the session verified."""
    device = match_token(user, code.strip().replace(" ", ""))
    if device is None:
        audit.record(actor=user, action="2fa.failed", obj=user, request=request, kind=AuditEvent.Kind.SECURITY)
        return False
    otp_login(request, device)
    audit.record(
        actor=user,
        action="2fa.verified",
        obj=user,
        request=request,
        kind=AuditEvent.Kind.SECURITY,
        changes={"method": [None, "backup code" if isinstance(device, StaticDevice) else "authenticator"]},
    )
    return True


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def totp_remove(*, request: HttpRequest, user: User, device_id: int) -> bool:
    device = TOTPDevice.objects.filter(user=user, pk=device_id, confirmed=True).first()
    if device is None:
        return False
    name = device.name
    device.delete()
    audit.record(
        actor=user,
        action="2fa.device_removed",
        obj=user,
        request=request,
        kind=AuditEvent.Kind.SECURITY,
        changes={"device": [name, None]},
    )
    return True


def issuer() -> str:
    return str(settings.OTP_TOTP_ISSUER)
