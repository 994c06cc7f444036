"""Start-up checks of the deployment: run by ``manage.py check`` and, cheaply, by gunicorn and Celery workers."""

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

# Backends that write every message, one-time set-password and invitation links included, to the
# process output or to files on the server instead of delivering it: for development only.
UNDELIVERED_EMAIL_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
    }
)
SMTP_VARIABLES = (
    "EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD (or EMAIL_HOST_PASSWORD_FILE), "
    "EMAIL_USE_TLS"
)


def email_backend_errors() -> list[checks.CheckMessage]:
    """isms.E001 when DEBUG is off and e-mail would go to the log, memory or disk instead of SMTP."""
    if settings.DEBUG or settings.EMAIL_BACKEND not in UNDELIVERED_EMAIL_BACKENDS:
        return []
    return [
        checks.Error(
            f"With DEBUG off, e-mail must be delivered, not written out by {settings.EMAIL_BACKEND}: "
            "one-time set-password and invitation links would end up in logs or on disk.",
            hint=f"Configure SMTP with {SMTP_VARIABLES}; EMAIL_BACKEND defaults to "
            "django.core.mail.backends.smtp.EmailBackend when DEBUG is off.",
            id="isms.E001",
        )
    ]


@checks.register(checks.Tags.security, deploy=False)
def email_backend_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return email_backend_errors()


@checks.register(checks.Tags.database, deploy=True)
def database_roles_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """isms.W010 when the components share one database login instead of least-privilege roles."""
    app = settings.DATABASES["default"].get("USER")
    shared = [name for name, params in settings.DATABASE_ROLES.items() if (params or {}).get("USER", app) == app]
    if not shared:
        return []
    return [
        checks.Warning(
            f"The {', '.join(shared)} role(s) log in as the app role {app!r}: the web process could alter "
            "the audit trail's triggers, read every tenant's schema or create databases.",
            hint="Set DATABASE_OWNER_URL, DATABASE_BACKUP_URL and DATABASE_DRILL_URL to their own roles "
            "(`manage.py db_roles_create` makes them); README, Security model.",
            id="isms.W010",
        )
    ]


def refuse_unsafe_start() -> None:
    """Raise ImproperlyConfigured on any error above: for gunicorn and Celery, which skip ``check``."""
    errors = email_backend_errors()
    if errors:
        raise ImproperlyConfigured(" ".join(f"{error.id}: {error.msg} {error.hint}" for error in errors))
