"""Settings of the ISMS portal, read from the environment in this one place (12-factor).

Development and production differ only by environment variables. With none set
(and DEBUG on) the portal runs on embedded services kept under ``.data/``:
PostgreSQL from the ``pgserver`` wheel, Celery on kombu's filesystem transport
and files on the local disk.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from tenants import embedded

from .secrets import secret

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
DATA_DIR = Path(env.str("ISMS_DATA_DIR", default=str(BASE_DIR / ".data"))).resolve()

# --- secrets: from the environment; only a debug run may fall back to local dev keys
# Each secret may also come from a file named by <NAME>_FILE (Docker secrets, Key Vault CSI): see secrets.py.
SECRET_KEY = secret("SECRET_KEY")
ISMS_MASTER_KEY = secret("ISMS_MASTER_KEY")
# During a master key rotation: the previous master key(s), comma-separated, still read but never written.
ISMS_MASTER_KEY_PREVIOUS = [part.strip() for part in secret("ISMS_MASTER_KEY_PREVIOUS").split(",") if part.strip()]
if DEBUG:
    SECRET_KEY = SECRET_KEY or embedded.dev_secret(DATA_DIR, "secret_key")
    ISMS_MASTER_KEY = ISMS_MASTER_KEY or embedded.dev_secret(DATA_DIR, "master_key")
# Optional: the key of the audit chain and its anchors; derived from ISMS_MASTER_KEY when empty (audit.keys).
ISMS_AUDIT_KEY = secret("ISMS_AUDIT_KEY")
for _name, _value in (("SECRET_KEY", SECRET_KEY), ("ISMS_MASTER_KEY", ISMS_MASTER_KEY)):
    if not _value:
        raise ImproperlyConfigured(f"{_name} must be set in the environment (or {_name}_FILE) when DEBUG is off.")

# --- hosts and tenancy
BASE_DOMAIN = env.str("BASE_DOMAIN", default="localhost")
# Port shown in links sent to people (set-password links); empty behind a proxy on 443.
PUBLIC_PORT = env.int("ISMS_PUBLIC_PORT", default=0)
ALLOWED_HOSTS = [BASE_DOMAIN, f".{BASE_DOMAIN}", *env.list("EXTRA_ALLOWED_HOSTS", default=[])]
# Slugs that can never name a tenant: they would shadow the platform's own hosts or schemas.
RESERVED_TENANT_SLUGS = frozenset(
    {"public", "www", "admin", "api", "app", "mail", "static", "media", "status", "template"}
)
TENANT_BASE_SCHEMA = "tenant_template"
# Set the search_path once per connection and schema change, not before every query.
TENANT_LIMIT_SET_CALLS = True
TENANT_CREATION_FAKES_MIGRATIONS = True

SHARED_APPS = [
    "django_tenants",
    "tenants",
    # Platform operators live in the public schema with their own copy of these apps.
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.admin",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "accounts",
    "audit",
    "csp",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.admin",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "guardian",
    "accounts",
    "audit",
    "sharing",
    "core",
    "risks",
    "objectives",
    "backups",
    "notifications",
    "controls",
    "incidents",
    "reviews",
    "policies",
    "training",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "isms.urls_public"
ROOT_URLCONF = "isms.urls_tenant"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

MIDDLEWARE = [
    # First: forwarded headers from anyone but our own proxies are dropped before anything reads them.
    "core.forwarding.TrustedProxyMiddleware",
    "django_tenants.middleware.main.TenantMainMiddleware",
    "core.middleware.TenantStatusMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.PrivateNoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.TenantTimezoneMiddleware",
    "audit.middleware.AuditMiddleware",
    # After the audit middleware, so the idle logout is audited with the request's origin.
    "accounts.sessions.SessionIdleMiddleware",
    "accounts.middleware.TwoFactorGateMiddleware",
    # Last: axes answers a locked-out login before the view runs.
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
                "accounts.context_processors.two_factor",
                "notifications.context_processors.unread",
            ],
        },
    },
]
WSGI_APPLICATION = "isms.wsgi.application"

# --- database: one least-privilege role per component (tenants/dbroles.py), or the embedded cluster
# DATABASE_URL is the app role (web and workers); the owner/migrator, backup and drill roles have
# their own URLs. Unset, they fall back to DATABASE_URL (one role for all: `check --deploy` warns).
DATABASE_URL = secret("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    DATABASE_ROLES = {
        component: env.db_url_config(url) if (url := secret(f"DATABASE_{component.upper()}_URL")) else {}
        for component in ("owner", "backup", "drill")
    }
    # Only `manage.py db_roles_create` and the test suite's set-up use it: a role that may create roles.
    DATABASE_ADMIN = env.db_url_config(url) if (url := secret("DATABASE_ADMIN_URL")) else {}
else:
    DATABASES = {"default": embedded.database_config(DATA_DIR)}
    DATABASE_ROLES = embedded.database_roles()
    DATABASE_ADMIN = embedded.database_admin()
DATABASES["default"]["ENGINE"] = "tenants.postgresql_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache: tenant-prefixed keys, because ids repeat across tenants
REDIS_URL = secret("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache"
        if REDIS_URL
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": REDIS_URL,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

# --- authentication (per tenant: each schema has its own users)
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.lockout.AccountLockBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Object permissions (django-guardian) use direct foreign-key tables per model; no anonymous user.
ANONYMOUS_USER_NAME = None
GUARDIAN_RENDER_403 = False
# Lockout: 5 failures per account and IP within 15 minutes (django-axes, per tenant schema).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Django's login form posts "username", not the user model's USERNAME_FIELD ("email").
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.username_from_request"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The same client address as the audit trail (X-Forwarded-For only from a trusted proxy, else the peer).
AXES_CLIENT_IP_CALLABLE = "audit.middleware.client_ip"
# Besides: this many failed logins for one account within the window, from any addresses, lock the account
# for the cool-off (accounts.lockout); the person and the tenant's Admins are told, an Admin may clear it.
ISMS_ACCOUNT_FAILURE_LIMIT = env.int("ISMS_ACCOUNT_FAILURE_LIMIT", default=20)
ISMS_ACCOUNT_FAILURE_WINDOW = timedelta(minutes=env.int("ISMS_ACCOUNT_FAILURE_WINDOW_MINUTES", default=60))
ISMS_ACCOUNT_LOCK_COOLOFF = timedelta(minutes=env.int("ISMS_ACCOUNT_LOCK_MINUTES", default=60))
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="ISMS portal")
OTP_TOTP_THROTTLE_FACTOR = 1
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# The one-time set-password link (first admin, later invitations) lives 72 hours.
PASSWORD_RESET_TIMEOUT = 72 * 3600

# --- security: HTTPS everywhere unless explicitly turned off for local http
HTTPS = env.bool("ISMS_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Reverse proxies whose X-Forwarded-For/Host/Proto are believed (addresses or networks, e.g. "172.28.0.10"
# or "10.0.0.0/8"); from any other peer core.forwarding.TrustedProxyMiddleware removes those headers.
ISMS_TRUSTED_PROXIES = env.list("ISMS_TRUSTED_PROXIES", default=[])
# How many of our proxies stand between the client and gunicorn: the client is that many entries from the
# right of X-Forwarded-For.
ISMS_PROXY_HOPS = env.int("ISMS_PROXY_HOPS", default=1)
for _proxy in ISMS_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"ISMS_TRUSTED_PROXIES: {_proxy!r} is no address or network.")
if ISMS_PROXY_HOPS < 1:
    raise ImproperlyConfigured("ISMS_PROXY_HOPS must be at least 1.")
if env.bool("ISMS_BEHIND_PROXY", default=bool(ISMS_TRUSTED_PROXIES)):
    if not ISMS_TRUSTED_PROXIES:
        # Behind a proxy nobody is trusted: every client would share the proxy's address (one lockout for all).
        raise ImproperlyConfigured("ISMS_BEHIND_PROXY needs ISMS_TRUSTED_PROXIES (the proxies' addresses).")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Host-only cookies: a session of tenant A means nothing on tenant B's host.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Absolute lifetime of a session from its login (extending it needs a new login).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
# Idle timeout: a session unused this long is logged out at its next request (accounts.sessions). A tenant's
# Admin may choose their own within the bounds.
ISMS_SESSION_IDLE_MINUTES = env.int("ISMS_SESSION_IDLE_MINUTES", default=30)
ISMS_SESSION_IDLE_MIN_MINUTES = env.int("ISMS_SESSION_IDLE_MIN_MINUTES", default=5)
ISMS_SESSION_IDLE_MAX_MINUTES = env.int("ISMS_SESSION_IDLE_MAX_MINUTES", default=480)
# Sensitive actions (roles, offboarding, two-factor devices and codes, tenant security settings) need the
# password, and the second factor if the person has one, given within this many minutes.
ISMS_REAUTH_MINUTES = env.int("ISMS_REAUTH_MINUTES", default=10)
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- i18n and time
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("sv", "Svenska")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True

# --- static and stored files
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
# Each tenant's files sit in .data/media/<schema>/ (or its own Azure container).
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
AZURE_STORAGE_CONNECTION_STRING = secret("AZURE_STORAGE_CONNECTION_STRING")
STORAGES = {
    "default": {
        "BACKEND": "core.storage.TenantAzureStorage"
        if AZURE_STORAGE_CONNECTION_STRING
        else "core.storage.TenantFileSystemStorage"
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_PERMISSIONS = 0o600
# Largest incident attachment (evidence, logs, screenshots) accepted, in bytes.
INCIDENT_ATTACHMENT_MAX_BYTES = env.int("INCIDENT_ATTACHMENT_MAX_BYTES", default=25 * 1024 * 1024)
# Daily encrypted backups are kept this many days ("kept 7 days").
BACKUP_RETENTION_DAYS = env.int("BACKUP_RETENTION_DAYS", default=7)
# Bounds within which a tenant may choose its own retention.
BACKUP_RETENTION_MIN_DAYS = env.int("BACKUP_RETENTION_MIN_DAYS", default=7)
BACKUP_RETENTION_MAX_DAYS = env.int("BACKUP_RETENTION_MAX_DAYS", default=35)
# A restore drill is stopped (and recorded as failed) after this many seconds: the RTO.
RESTORE_DRILL_TIME_LIMIT = env.int("RESTORE_DRILL_TIME_LIMIT", default=4 * 3600)
# Spreadsheet imports: rows below the header (blank rows count), columns, and how long a worker may spend
# reading or importing one file before it is stopped.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=50_000)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=100)
IMPORT_TASK_TIME_LIMIT = env.int("IMPORT_TASK_TIME_LIMIT", default=30 * 60)

# --- e-mail: console in development, SMTP from the environment in production
# With DEBUG off the console, locmem and file backends are refused (core.checks, isms.E001).
_EMAIL_DEFAULT = "console" if DEBUG else "smtp"
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=f"django.core.mail.backends.{_EMAIL_DEFAULT}.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"isms@{BASE_DOMAIN}")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)

# --- Celery: Redis in production and tests, kombu's filesystem transport when embedded
CELERY_BROKER_URL = secret("CELERY_BROKER_URL") or REDIS_URL or "filesystem://localhost/"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = embedded.filesystem_broker_folders(DATA_DIR)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "core.tasks.heartbeat_dispatch", "schedule": 60.0},
    "backup-nightly": {
        "task": "backups.tasks.backup_dispatch",
        "schedule": crontab(hour=env.int("BACKUP_HOUR", default=2), minute=0),
    },
    "backup-prune": {"task": "backups.tasks.backups_prune_dispatch", "schedule": crontab(hour=5, minute=0)},
    "restore-drill-weekly": {
        "task": "backups.tasks.restore_drill_dispatch",
        "schedule": crontab(hour=4, minute=0, day_of_week="sunday"),
    },
    "shares-expire": {"task": "sharing.tasks.shares_expire_dispatch", "schedule": 3600.0},
    "audit-chain-verify": {"task": "audit.tasks.audit_chain_verify_dispatch", "schedule": crontab(hour=3, minute=30)},
    "reminders-hourly": {"task": "notifications.tasks.reminders_dispatch", "schedule": crontab(minute=15)},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One-time links (invitations, set-password) have their tokens blanked in whatever is logged.
    "filters": {"one_time_links": {"()": "core.log_redaction.OneTimeLinkFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_time_links"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
