"""Writes on accounts: creating people, seeding roles, one-time set-password links."""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from core.links import absolute_url

from .models import User
from .roles import Role


def email_validate(email: str) -> str:
    """The normalised (trimmed, lowercase) address, or ValidationError."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(_("“%(email)s” is not a valid e-mail address.") % {"email": email})
    return email


def roles_seed() -> list[Group]:
    """Create the tenant's role groups if missing (idempotent)."""
    return [Group.objects.get_or_create(name=role.value)[0] for role in Role]


@transaction.atomic
def user_create(*, email: str, full_name: str = "", roles: Iterable[str] = (), password: str | None = None) -> User:
    email = email_validate(email)
    if User.objects.filter(email=email).exists():
        raise ValidationError(_("A user with the e-mail address %(email)s already exists.") % {"email": email})
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError(_("Unknown role(s): %(roles)s") % {"roles": ", ".join(sorted(unknown))})
    user = User.objects.create_user(email, password, full_name=full_name.strip())
    user.groups.set(Group.objects.filter(name__in=list(roles)))
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
