"""A person who logs in with an e-mail address; each tenant schema has its own."""

from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)  # None gives an unusable password until set via the link
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("platform staff"),
        default=False,
        help_text=_("May use the operators' admin (public host only)."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    if TYPE_CHECKING:
        # django-otp's OTPMiddleware gives request.user this method (not the model: a user loaded otherwise lacks it).
        def is_verified(self) -> bool: ...

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @cached_property
    def role_names(self) -> list[str]:
        """Names of this person's roles (read once per request: the gate and the pages both ask)."""
        return [group.name for group in self.groups.all()]


class Invitation(models.Model):
    """A one-time, expiring link that lets a person join this tenant with the given roles."""

    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    roles = models.JSONField(_("roles"), default=list)
    # Only a hash is stored: the database never holds a usable link.
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, verbose_name=_("invited by"), null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} ({', '.join(self.roles)})"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def state(self) -> str:
        if self.accepted_at:
            return str(_("accepted"))
        if self.revoked_at:
            return str(_("revoked"))
        if self.expires_at <= timezone.now():
            return str(_("expired"))
        return str(_("pending"))


class LoginRecord(models.Model):
    """One login: shown to the person on their profile and used to end their sessions."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_records")
    session_key = models.CharField(max_length=40, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    logged_in_at = models.DateTimeField(_("logged in at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["-logged_in_at"]
        indexes = [models.Index(fields=["user", "-logged_in_at"], name="accounts_login_user_recent")]

    def __str__(self) -> str:
        return f"{self.user} at {self.logged_in_at:%Y-%m-%d %H:%M}"


class OffboardingRecord(models.Model):
    """The printable checklist of one offboarding: what was revoked, ended and handed over."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="offboardings")
    performed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reassigned_to = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    performed_at = models.DateTimeField(_("performed at"), auto_now_add=True)
    checklist = models.JSONField(_("checklist"), default=list)

    class Meta:
        ordering = ["-performed_at"]

    def __str__(self) -> str:
        return f"Offboarding of {self.user} at {self.performed_at:%Y-%m-%d}"


class AccountLock(models.Model):
    """A person's account locked after too many failed logins from any addresses, until a time or an Admin clears it.

    django-axes locks one account on one address; this lock stops guessing spread over many addresses.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_locks")
    locked_at = models.DateTimeField(_("locked at"), default=timezone.now)
    until = models.DateTimeField(_("locked until"))
    failures = models.PositiveIntegerField(_("failed logins"))
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    cleared_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-locked_at"]
        indexes = [models.Index(fields=["user", "-locked_at"], name="accounts_lock_user_recent")]
        constraints = [
            models.CheckConstraint(condition=models.Q(until__gt=models.F("locked_at")), name="accounts_lock_ends_later")
        ]

    def __str__(self) -> str:
        return f"{self.user} locked at {self.locked_at:%Y-%m-%d %H:%M}"

    def is_active(self, now: Any = None) -> bool:
        return self.cleared_at is None and self.until > (now or timezone.now())

    @property
    def ended_at(self) -> Any:
        """When the lock stopped holding (cleared, or its cool-off over)."""
        return self.cleared_at or self.until

    def clear(self, *, now: Any = None) -> None:
        if self.cleared_at is not None:
            raise ValueError("The lock is cleared already.")
        self.cleared_at = now or timezone.now()
