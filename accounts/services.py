"""Writes on accounts: people, roles, invitations, logins and offboarding. Each is atomic and audited."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

import audit
from audit.models import AuditEvent
from core.fanout import tenant_task_enqueue
from core.links import absolute_url
from core.schemas import current_schema_name

from . import ownership, signals
from .models import Invitation, LoginRecord, OffboardingRecord, User
from .policies import people_policy
from .roles import ROLE_PERMISSIONS, Role

INVITATION_LIFETIME = timedelta(hours=72)
_INVITATION_TOKEN_SALT = "isms.accounts.invitation"  # noqa: S105 — an HMAC label, not a secret


def email_validate(email: str) -> str:
    """The normalised (trimmed, lowercase) address, or ValidationError."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(_("“%(email)s” is not a valid e-mail address.") % {"email": email})
    return email


def roles_seed() -> list[Group]:
    """Create the tenant's role groups and give each exactly its permissions (idempotent)."""
    groups = []
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = ROLE_PERMISSIONS[role]
        query = Q(pk__in=[])
        for label in wanted:
            app_label, codename = label.split(".")
            query |= Q(content_type__app_label=app_label, codename=codename)
        permissions = list(Permission.objects.filter(query))
        found = {f"{p.content_type.app_label}.{p.codename}" for p in permissions}
        if found != wanted:
            raise ValueError(f"unknown permissions for {role}: {sorted(wanted - found)}")
        group.permissions.set(permissions)
        groups.append(group)
    return groups


def _roles_validate(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError(_("Unknown role(s): %(roles)s") % {"roles": ", ".join(sorted(unknown))})
    return roles


@transaction.atomic
def user_create(
    *,
    email: str,
    full_name: str = "",
    roles: Iterable[str] = (),
    password: str | None = None,
    created_by: User | None = None,
) -> User:
    email = email_validate(email)
    if User.objects.filter(email=email).exists():
        raise ValidationError(_("A user with the e-mail address %(email)s already exists.") % {"email": email})
    roles = _roles_validate(roles)
    user = User.objects.create_user(email, password, full_name=full_name.strip())
    user.groups.set(Group.objects.filter(name__in=roles))
    audit.record(actor=created_by, action="user.created", obj=user, changes={"roles": [None, roles]})
    return user


def set_password_url(*, user: User, host: str) -> str:
    """A one-time link to choose a password: it dies once used and after PASSWORD_RESET_TIMEOUT."""
    path = reverse(
        "set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
        urlconf="isms.urls_tenant",
    )
    return absolute_url(host, path)


# --- roles and status -------------------------------------------------------------------


@transaction.atomic
def user_roles_set(*, user: User, roles: Iterable[str], by: User) -> User:
    if not people_policy.can_manage(by):
        raise PermissionDenied
    roles = _roles_validate(roles)
    before = sorted(user.role_names)
    if not people_policy.can_set_roles(by, user, roles):
        raise ValidationError(_("You cannot remove your own Admin role; ask another admin."))
    user.groups.set(Group.objects.filter(name__in=roles))
    user.__dict__.pop("role_names", None)  # cached for the request
    after = sorted(roles)
    if before != after:
        audit.record(actor=by, action="user.roles_changed", obj=user, changes={"roles": [before, after]})
        # Heard by training/apps.py: acknowledgements follow the new roles (superseded / newly asked), same transaction.
        signals.roles_changed.send(sender=User, user=user, by=by)
    return user


@transaction.atomic
def user_deactivate(*, user: User, by: User) -> User:
    if not people_policy.can_manage(by):
        raise PermissionDenied
    if user == by:
        raise ValidationError(_("You cannot deactivate yourself."))
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        sessions_ended = _sessions_end(user)
        audit.record(actor=by, action="user.deactivated", obj=user, changes={"is_active": [True, False]})
        audit.record(actor=by, action="user.sessions_ended", obj=user, changes={"sessions": [None, sessions_ended]})
        # A link they sent must not let someone in while they cannot log in themselves.
        _invitations_revoke_for(user, by=by)
    return user


@transaction.atomic
def user_reactivate(*, user: User, by: User) -> User:
    if not people_policy.can_manage(by):
        raise PermissionDenied
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit.record(actor=by, action="user.reactivated", obj=user, changes={"is_active": [False, True]})
    return user


# --- invitations ------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _invitation_token(invitation: Invitation) -> str:
    """The invitation's secret: an HMAC under SECRET_KEY of the row's identity, as Django's password-reset
    tokens are. So the worker that mails the link rebuilds it from the invitation's id alone, and no
    token travels through the broker or a task log; the database keeps only its hash."""
    created = int(invitation.created_at.timestamp() * 1_000_000)
    value = f"{current_schema_name()}:{invitation.pk}:{invitation.email}:{created}"
    return salted_hmac(_INVITATION_TOKEN_SALT, value, algorithm="sha256").hexdigest()


def invitation_url(*, token: str, host: str) -> str:
    return absolute_url(host, reverse("invitation_accept", kwargs={"token": token}, urlconf="isms.urls_tenant"))


@transaction.atomic
def invitation_create(
    *, by: User, email: str, roles: Iterable[str], full_name: str = "", host: str
) -> tuple[Invitation, str]:
    """Invite a person by e-mail; returns the invitation and its link (mailed by a task, never stored)."""
    if not people_policy.can_manage(by):
        raise PermissionDenied
    email = email_validate(email)
    roles = _roles_validate(roles)
    if not roles:
        raise ValidationError(_("Choose at least one role."))
    if User.objects.filter(email=email).exists():
        raise ValidationError(_("%(email)s already has an account here.") % {"email": email})
    now = timezone.now()
    for stale in Invitation.objects.filter(email=email, accepted_at=None, revoked_at=None, expires_at__gt=now):
        _invitation_revoke(stale, by=by)
    invitation = Invitation.objects.create(
        email=email,
        full_name=full_name.strip(),
        roles=roles,
        # Replaced below once the row has the id its token is derived from.
        token_hash=_token_hash(secrets.token_urlsafe(32)),
        invited_by=by,
        expires_at=now + INVITATION_LIFETIME,
    )
    token = _invitation_token(invitation)
    invitation.token_hash = _token_hash(token)
    invitation.save(update_fields=["token_hash"])
    audit.record(
        actor=by, action="invitation.created", obj=invitation, changes={"email": [None, email], "roles": [None, roles]}
    )
    from . import tasks

    # The task gets the invitation's id and host only: task arguments show in worker logs and the broker.
    tenant_task_enqueue(tasks.invitation_send, args=[invitation.pk, host])
    return invitation, invitation_url(token=token, host=host)


def invitation_send(*, invitation_id: int, host: str) -> bool:
    """Mail a pending invitation its one-time link; False (nothing sent) if it was accepted, revoked or expired."""
    invitation = Invitation.objects.select_related("invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_pending:
        return False
    link = invitation_url(token=_invitation_token(invitation), host=host)
    inviter = invitation.invited_by.get_full_name() if invitation.invited_by else ""
    send_mail(
        subject=_("You are invited to the ISMS portal"),
        message=_(
            "%(inviter)s invited you to the ISMS portal as %(roles)s.\n\n"
            "Open this link within 72 hours to choose your password (it works once):\n%(link)s\n"
        )
        % {"inviter": inviter, "roles": ", ".join(invitation.roles), "link": link},
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )
    return True


def invitation_for_token(token: str) -> Invitation | None:
    """The pending invitation behind a link, or None if unknown, used, revoked or expired."""
    invitation = Invitation.objects.filter(token_hash=_token_hash(token)).first()
    return invitation if invitation is not None and invitation.is_pending else None


@transaction.atomic
def invitation_accept(*, token: str, full_name: str, password: str) -> User:
    invitation = Invitation.objects.select_for_update().filter(token_hash=_token_hash(token)).first()
    if invitation is None or not invitation.is_pending:
        raise ValidationError(_("This invitation link no longer works."))
    user = user_create(
        email=invitation.email, full_name=full_name or invitation.full_name, roles=invitation.roles, password=password
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    audit.record(actor=user, action="invitation.accepted", obj=invitation)
    # Heard by training/apps.py: the newcomer gets the onboarding set of assignments (same transaction).
    signals.user_joined.send(sender=User, user=user)
    return user


def _invitation_revoke(invitation: Invitation, *, by: User) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(actor=by, action="invitation.revoked", obj=invitation)


def _invitations_revoke_for(user: User, *, by: User) -> int:
    """Revoke the pending invitations ``user`` sent (or that were sent to their address), each audited."""
    pending = Invitation.objects.filter(
        Q(invited_by=user) | Q(email=user.email), accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    )
    count = 0
    for invitation in pending:
        _invitation_revoke(invitation, by=by)
        count += 1
    return count


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> None:
    if not people_policy.can_manage(by):
        raise PermissionDenied
    if invitation.is_pending:
        _invitation_revoke(invitation, by=by)


# --- logins and sessions ----------------------------------------------------------------


def login_record(*, user: User, request: HttpRequest) -> LoginRecord:
    ctx = getattr(request, "audit_context", None)
    return LoginRecord.objects.create(
        user=user,
        session_key=request.session.session_key or "",
        ip=getattr(ctx, "ip", None),
        user_agent=getattr(ctx, "user_agent", ""),
    )


def login_session_rekey(*, user: User, old_key: str | None, new_key: str | None) -> None:
    """Follow a session to its new key, so that ending the person's sessions still finds it."""
    if old_key and new_key and old_key != new_key:
        LoginRecord.objects.filter(user=user, session_key=old_key, ended_at=None).update(session_key=new_key)


def _sessions_end(user: User) -> int:
    records = LoginRecord.objects.filter(user=user, ended_at=None)
    keys = [key for key in records.values_list("session_key", flat=True) if key]
    deleted, _details = Session.objects.filter(session_key__in=keys).delete()
    records.update(ended_at=timezone.now())
    return int(deleted)


# --- offboarding ------------------------------------------------------------------------


@transaction.atomic
def user_offboard(*, user: User, by: User, reassign_to: User | None) -> OffboardingRecord:
    """Everything that must happen when a person leaves, as one audited step."""
    if not people_policy.can_manage(by):
        raise PermissionDenied
    if user == by:
        raise ValidationError(_("You cannot offboard yourself."))
    owned = ownership.records_owned_by(user)
    if reassign_to is None and any(count for _label, count in owned):
        raise ValidationError(_("Choose who takes over the records this person owns."))
    if reassign_to is not None and (reassign_to == user or not reassign_to.is_active):
        raise ValidationError(_("Records can only be handed over to another active person."))

    checklist: list[dict[str, Any]] = []

    def step(label: str, count: int) -> None:
        checklist.append({"step": label, "count": count})

    was_active = user.is_active
    user.is_active = False
    user.save(update_fields=["is_active"])
    step("Account deactivated", 1 if was_active else 0)
    step("Sessions ended", _sessions_end(user))
    devices = list(TOTPDevice.objects.filter(user=user)) + list(StaticDevice.objects.filter(user=user))
    for device in devices:
        device.delete()
    step("Two-factor devices revoked", len(devices))
    step("Pending invitations revoked", _invitations_revoke_for(user, by=by))
    step("Shares revoked", ownership.shares_revoke(user))
    reassigned = ownership.records_reassign(user, reassign_to) if reassign_to is not None else 0
    step("Records handed over", reassigned)
    record = OffboardingRecord.objects.create(
        user=user, performed_by=by, reassigned_to=reassign_to, checklist=checklist
    )
    audit.record(
        actor=by,
        action="user.offboarded",
        obj=user,
        changes={
            "is_active": [was_active, False],
            "reassigned_to": [None, reassign_to.email if reassign_to else None],
            "checklist": [None, checklist],
        },
        kind=AuditEvent.Kind.SECURITY,
    )
    return record


def _tenant_settings_may_change(by: User) -> None:
    from .policies import tenant_settings_policy

    if not tenant_settings_policy.can_change(by):
        raise PermissionDenied


def _tenant_setting_change(*, tenant: Any, field: str, value: object, action: str, by: User) -> None:
    """Write one of the tenant's own settings (``dbroles.TENANT_SETTINGS_COLUMNS``) if it changes, audited."""
    _tenant_settings_may_change(by)
    before = getattr(tenant, field)
    if before == value:
        return
    setattr(tenant, field, value)
    tenant.save(update_fields=[field])
    audit.record(
        actor=by,
        action=action,
        object_type="tenants.tenant",
        object_id=str(tenant.pk),
        object_label=tenant.name,
        changes={field: [before, value]},
        kind=AuditEvent.Kind.SECURITY,
    )


@transaction.atomic
def tenant_backup_retention_set(*, tenant: Any, days: int | None, by: User) -> None:
    """How long this tenant's backups are kept (None: the platform default), within the platform's bounds."""
    _tenant_settings_may_change(by)
    low, high = settings.BACKUP_RETENTION_MIN_DAYS, settings.BACKUP_RETENTION_MAX_DAYS
    if days is not None and not low <= days <= high:
        raise ValidationError(_("Backups are kept %(low)d to %(high)d days.") % {"low": low, "high": high})
    _tenant_setting_change(
        tenant=tenant, field="backup_retention_days", value=days, action="tenant.backup_retention_changed", by=by
    )


@transaction.atomic
def tenant_session_idle_set(*, tenant: Any, minutes: int | None, by: User) -> None:
    """After how many idle minutes this tenant's sessions are logged out (None: the platform default)."""
    _tenant_settings_may_change(by)
    low, high = settings.ISMS_SESSION_IDLE_MIN_MINUTES, settings.ISMS_SESSION_IDLE_MAX_MINUTES
    if minutes is not None and not low <= minutes <= high:
        raise ValidationError(
            _("Idle sessions are logged out after %(low)d to %(high)d minutes.") % {"low": low, "high": high}
        )
    _tenant_setting_change(
        tenant=tenant, field="session_idle_minutes", value=minutes, action="tenant.session_idle_changed", by=by
    )


@transaction.atomic
def tenant_two_factor_set(*, tenant: Any, required: bool, by: User) -> None:
    """Require a second factor of everyone in the tenant (privileged roles always need one)."""
    _tenant_setting_change(
        tenant=tenant, field="require_two_factor", value=required, action="tenant.two_factor_policy_changed", by=by
    )
