"""MPF Portal settings, read from the environment.

With no variables at all the portal runs as a development instance: SQLite under
``var/``, console e-mail, Celery tasks run in-process. Production sets ``DEBUG=0``,
``SECRET_KEY``, ``DATABASE_URL``, ``REDIS_URL`` and ``ALLOWED_HOSTS``. A value that
cannot be understood stops start-up with a message naming the variable.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from common.release import release_id

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_flag(name: str, default: bool) -> bool:
    """A yes/no variable; anything but the usual spellings is a configuration error."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not understood: use 1/0, true/false, yes/no or on/off.")


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.str(name, default=default).strip()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(choices)}.")
    return value


def env_int(name: str, default: int) -> int:
    raw = env.str(name, default=str(default))
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


DEBUG = env_flag("DEBUG", default=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-key-not-for-production"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "accounts.apps.PortalAdminConfig",  # django.contrib.admin with a site that requires a second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "common",
    "audit",
    "accounts",
    "projects",
    "activities",
    "budgets",
    "concepts",
    "documents",
    "results",
    "reports",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "common.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "common.middleware.UserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "audit.middleware.AuditRequestMiddleware",
    "common.middleware.PrivateCacheMiddleware",
    "accounts.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mpf_portal.urls"
WSGI_APPLICATION = "mpf_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "projects.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another.
_default_sqlite = f"sqlite:///{VAR_DIR / 'mpf.sqlite3'}"
_database_url = env.str("DATABASE_URL", default=_default_sqlite)
if not _database_url.startswith(("postgres://", "postgresql://", "sqlite://")):
    raise ImproperlyConfigured("DATABASE_URL is malformed: it must start with postgres://, postgresql:// or sqlite://.")
try:
    DATABASES = {"default": env.db_url_config(_database_url)}
except (ImproperlyConfigured, KeyError, ValueError) as error:
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {error}") from None
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3" and not DATABASES["default"].get("NAME"):
    raise ImproperlyConfigured("DATABASE_URL is malformed: it names no database.")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60 if not DEBUG else 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads (live-server tests, runserver) share the file: wait instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
elif env.bool("DB_SERVER_SIDE_BINDING", default=True):
    # Parameters bound by the server: psycopg then prepares a query run five times on a connection
    # (kept for CONN_MAX_AGE), and PostgreSQL stops planning it again on every request (planning the
    # section page's five-table lookup took 0.5 ms, executing it 0.1 ms). Off behind a connection
    # pooler in transaction mode (PgBouncer), which cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Celery: with no REDIS_URL, tasks run in-process so `make run` needs no worker.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://.")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# Printed concepts (concepts/tasks.py has the measurements behind these numbers). The visibility
# timeout above must stay longer than RENDER_TIME_LIMIT.
RENDER_SOFT_TIME_LIMIT = env_int("RENDER_SOFT_TIME_LIMIT", 180)  # seconds: the job fails with a message
RENDER_TIME_LIMIT = env_int("RENDER_TIME_LIMIT", 240)  # seconds: the worker process is killed
RENDER_QUEUE = env.str("RENDER_QUEUE", default="celery")
RENDER_REQUEUE_INTERVAL = env_int("RENDER_REQUEUE_INTERVAL", 300)  # seconds between recoveries in each worker
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 600_000)  # KiB
# Imports from files (common/imports.py): checked in the request before any parsing, then read
# or written by a Celery task with these limits; abandoned uploads are deleted after a day.
IMPORT_DOCX_MAX_PART_MB = env_int("IMPORT_DOCX_MAX_PART_MB", 20)  # any part unpacked, word/document.xml too
IMPORT_DOCX_MAX_UNZIPPED_MB = env_int("IMPORT_DOCX_MAX_UNZIPPED_MB", 100)  # all parts together
IMPORT_DOCX_MAX_RATIO = env_int("IMPORT_DOCX_MAX_RATIO", 100)  # unpacked size / packed size of one part
IMPORT_DOCX_MAX_PARTS = env_int("IMPORT_DOCX_MAX_PARTS", 1000)
IMPORT_DOCX_MAX_PARAGRAPHS = env_int("IMPORT_DOCX_MAX_PARAGRAPHS", 30_000)
IMPORT_DOCX_MAX_CHARACTERS = env_int("IMPORT_DOCX_MAX_CHARACTERS", 5_000_000)
IMPORT_SOFT_TIME_LIMIT = env_int("IMPORT_SOFT_TIME_LIMIT", 120)  # seconds: the import fails with a message
IMPORT_TIME_LIMIT = env_int("IMPORT_TIME_LIMIT", 150)  # seconds: the worker process is killed
IMPORT_MEMORY_LIMIT_MB = env_int("IMPORT_MEMORY_LIMIT_MB", 1024)  # address space an import may add in a worker
IMPORT_UPLOAD_MAX_AGE_HOURS = env_int("IMPORT_UPLOAD_MAX_AGE_HOURS", 24)  # unconfirmed uploads are deleted after
IMPORT_CLEANUP_INTERVAL = env_int("IMPORT_CLEANUP_INTERVAL", 3600)  # seconds between cleanups in each worker


def env_days(name: str, default: str) -> list[int]:
    """A comma-separated list of whole days, each 1 or more: "14,3"."""
    raw = env.str(name, default=default)
    try:
        days = sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a list of whole days such as 14,3.") from None
    if any(day < 1 for day in days):
        raise ImproperlyConfigured(f"{name}={raw!r}: each number of days must be 1 or more.")
    return days


# Report reminders (reports/reminders.py): an e-mail to each responsible member of a report so many
# days before its due date, and every day while it is overdue; never twice the same day. Celery beat
# (the `beat` service of docker-compose.yml) asks for them every day at REPORT_REMINDER_HOUR local time.
REPORT_REMINDER_DAYS = env_days("REPORT_REMINDER_DAYS", "14,3")
REPORT_REMINDER_HOUR = env_int("REPORT_REMINDER_HOUR", 7)
if not 0 <= REPORT_REMINDER_HOUR <= 23:
    raise ImproperlyConfigured(f"REPORT_REMINDER_HOUR={REPORT_REMINDER_HOUR} is not an hour from 0 to 23.")
CELERY_BEAT_SCHEDULE = {
    "report-reminders": {
        "task": "reports.tasks.report_reminders_send_task",
        "schedule": crontab(hour=REPORT_REMINDER_HOUR, minute=0),
        # A reminder asked for by a beat that could not reach the broker for hours is not worth sending late.
        "options": {"expires": 6 * 3600},
    },
    # Printed reports the broker lost, or whose worker died, are sent again (reports/rendering.py).
    "report-render-recovery": {
        "task": "reports.tasks.report_render_jobs_requeue_task",
        "schedule": RENDER_REQUEUE_INTERVAL,
        "options": {"expires": RENDER_REQUEUE_INTERVAL},
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = env.str("CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule"))

# Project documents (documents/): limits per file and per project, and for the zip-based office formats
# the sizes their parts are declared to unpack to (read from the zip's directory, never unpacked).
DOCUMENTS_MAX_FILE_BYTES = env_int("DOCUMENTS_MAX_FILE_BYTES", 50 * 1024 * 1024)
DOCUMENTS_MAX_PROJECT_BYTES = env_int("DOCUMENTS_MAX_PROJECT_BYTES", 2 * 1024 * 1024 * 1024)
DOCUMENTS_ZIP_LIMITS = {
    "parts": env_int("DOCUMENTS_MAX_ZIP_PARTS", 2000),
    "ratio": env_int("DOCUMENTS_MAX_ZIP_RATIO", 100),
    "unzipped_bytes": env_int("DOCUMENTS_MAX_UNZIPPED_MB", 300) * 1024 * 1024,
}

# The cache keeps only content keyed by what it shows (common/cache.py, common/generations.py), under a
# prefix naming the release: a deploy that changes the code never serves what older code rendered.
RELEASE_ID = env.str("RELEASE_ID", default="") or release_id(BASE_DIR)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "common.cache.RedisCache",  # Redis unreachable: a miss, never an error page
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": RELEASE_ID,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": RELEASE_ID}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Failed logins: throttled per username and per address, lifted after a cool-off.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
PROXY_COUNT = env_int("PROXY_COUNT", 0)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"PROXY_COUNT={PROXY_COUNT} must be 0 or more.")
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT
# One rule for the client's address everywhere (throttling, password-reset limits, the audit trail, sessions):
# behind PROXY_COUNT proxies, the address the outermost of ours saw (audit.services.client_address).
AXES_CLIENT_IP_CALLABLE = "audit.services.client_address"
AXES_ENABLED = env_flag("AXES_ENABLED", default=True)
# The audit trail (audit/): entries older than this many days are deleted by `manage.py audit_purge`; 0 keeps all.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 730)
if AUDIT_RETENTION_DAYS < 0:
    raise ImproperlyConfigured(f"AUDIT_RETENTION_DAYS={AUDIT_RETENTION_DAYS} must be 0 (keep all) or more.")
# The results framework (results/): when on, nobody may approve or return an indicator update that they
# entered or submitted themselves (four-eyes principle). Off by default; production should turn it on.
RESULTS_FORBID_SELF_APPROVAL = env_flag("RESULTS_FORBID_SELF_APPROVAL", default=False)
# Periodic reports (reports/): the same rule for approving a report one submitted oneself; it follows
# RESULTS_FORBID_SELF_APPROVAL unless set on its own.
REPORTS_FORBID_SELF_APPROVAL = env_flag("REPORTS_FORBID_SELF_APPROVAL", default=RESULTS_FORBID_SELF_APPROVAL)
# Requests for a password-reset link, per hour: per e-mail address and per client address
# (accounts/throttle.py). Over the limit the page answers as usual and nothing is sent.
PASSWORD_RESET_EMAIL_LIMIT = env_int("PASSWORD_RESET_EMAIL_LIMIT", 3)
PASSWORD_RESET_ADDRESS_LIMIT = env_int("PASSWORD_RESET_ADDRESS_LIMIT", 10)
# Two-factor login (accounts/two_factor.py): who must enrol a second factor before anything else.
# The admin requires one from everybody whatever this says. `make run`'s demo users log in with
# their password alone while DEBUG is on.
MFA_ROLES = ("superuser", "staff", "manager")
MFA_REQUIRED_ROLES = [
    role.strip().lower()
    for role in env.str("MFA_REQUIRED_ROLES", default="" if DEBUG else ",".join(MFA_ROLES)).split(",")
    if role.strip()
]
if set(MFA_REQUIRED_ROLES) - set(MFA_ROLES):
    raise ImproperlyConfigured(f"MFA_REQUIRED_ROLES={MFA_REQUIRED_ROLES!r} may name only: {', '.join(MFA_ROLES)}.")
MFA_CODE_FAILURE_LIMIT = 5  # wrong codes in a row before the half-done login is dropped
OTP_TOTP_ISSUER = "MPF Portal"
# Single sign-on with OpenID Connect (accounts/sso.py): on once an issuer (or a discovery URL) and a client are set.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").strip().rstrip("/")
OIDC_DISCOVERY_URL = env.str("OIDC_DISCOVERY_URL", default="").strip() or (
    f"{OIDC_ISSUER}/.well-known/openid-configuration" if OIDC_ISSUER else ""
)
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="").strip()
OIDC_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_ENABLED = bool(OIDC_DISCOVERY_URL)
if OIDC_ENABLED and not (OIDC_CLIENT_ID and OIDC_CLIENT_SECRET):
    raise ImproperlyConfigured("OIDC_ISSUER is set: OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set too.")
if OIDC_DISCOVERY_URL and not OIDC_DISCOVERY_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"OIDC_ISSUER/OIDC_DISCOVERY_URL={OIDC_DISCOVERY_URL!r} is not an http(s) URL.")
OIDC_ALLOWED_EMAIL_DOMAINS = [
    domain.strip().lower().lstrip("@")
    for domain in env.list("OIDC_ALLOWED_EMAIL_DOMAINS", default=[])
    if domain.strip()
]
OIDC_LOGIN_LABEL = env.str("OIDC_LOGIN_LABEL", default="").strip()  # empty: the button says "Single sign-on"
OIDC_STAFF_PASSWORD_LOGIN = env_flag("OIDC_STAFF_PASSWORD_LOGIN", default=True)
# Whether a provider's own second factor stands in for the portal's (MFA_REQUIRED_ROLES): only when this is on
# and the ID token's `amr` names one of OIDC_MFA_AMR_VALUES or its `acr` is one of OIDC_MFA_ACR_VALUES.
OIDC_TRUST_PROVIDER_MFA = env_flag("OIDC_TRUST_PROVIDER_MFA", default=False)
OIDC_MFA_AMR_VALUES = [value.strip() for value in env.list("OIDC_MFA_AMR_VALUES", default=["mfa"]) if value.strip()]
OIDC_MFA_ACR_VALUES = [value.strip() for value in env.list("OIDC_MFA_ACR_VALUES", default=[]) if value.strip()]
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)  # seconds for each request to the provider
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SAMESITE = "Lax"  # the switcher's choice (common/languages.py)
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Brussels")
CELERY_TIMEZONE = TIME_ZONE  # beat's crontab hours (REPORT_REMINDER_HOUR) are the portal's local time
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served publicly: downloads go through access-checking views
# Stored files (uploaded documents, renders, exports, imports waiting for confirmation, the public IATI
# file) go through Django's storage API: local disk under MEDIA_ROOT, or an S3-compatible object store
# (AWS S3, MinIO, Ceph…) when AWS_STORAGE_BUCKET_NAME is set, so that web and workers on several machines
# share them. Files are never served from the store's own address: downloads stream through the views.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # From the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), or the machine's role when unset.
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("AWS_LOCATION", default=""),
            "addressing_style": env_choice("AWS_S3_ADDRESSING_STYLE", "auto", ("auto", "path", "virtual")),
            "default_acl": None,  # private: the bucket's policy decides, and nothing is public
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MPF Portal <noreply@localhost>")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SITE_NAME = "MPF Portal"

# Security headers. Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sessions live in the database only: a log-out must hold even while the cache is unreachable (a
# copy of the session kept in Redis, whose deletion failed, would sign the user in again later).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
# Form fields (files excluded) of one request: a section may hold 200,000 characters, which the
# browser sends percent-encoded, up to 12 bytes a character for text outside Latin script, and
# a merge form sends two texts. A request over this is refused with a page that says so.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}, "mpf.security": {"level": "INFO"}},
}
LOGGING["loggers"]["weasyprint.progress"] = {"level": "WARNING"}  # one line per page otherwise

# seed_demo refuses to run on a production-like database unless told otherwise.
DEMO_DATA_ALLOWED = DEBUG

# IATI export (/iati/activities.xml). The reporting organisation's ref must be set to the
# publisher's registered IATI organisation identifier before the files are published.
IATI_REPORTING_ORG_REF = env.str("IATI_REPORTING_ORG_REF", default="XX-MPF-PORTAL")
IATI_REPORTING_ORG_TYPE = env_choice(
    "IATI_REPORTING_ORG_TYPE",
    "40",  # Multilateral: the facility is run by ICMPD, an intergovernmental organisation
    ("10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71", "72", "73", "80", "90"),
)
IATI_REPORTING_ORG_NAME = env.str("IATI_REPORTING_ORG_NAME", default="Migration Partnership Facility")
IATI_DEFAULT_SECTOR = env.str("IATI_DEFAULT_SECTOR", default="15190")  # DAC 5-digit purpose code
# The public file /iati/activities.xml is written by the workers (dashboards/publication.py): each checks
# every IATI_REFRESH_INTERVAL seconds, and writes it again after a data change or once IATI_MAX_AGE_SECONDS old.
IATI_REFRESH_INTERVAL = env_int("IATI_REFRESH_INTERVAL", 60)
# Each worker sums again, at start and every DASHBOARD_FIGURES_INTERVAL seconds, the dashboard figures of
# projects whose data changed without a commit hook (a bulk write, an upgrade): dashboards/figures.py.
DASHBOARD_FIGURES_INTERVAL = env_int("DASHBOARD_FIGURES_INTERVAL", 60)
# Dashboard exports of more rows than this are written by a task and downloaded when ready (dashboards/exporting.py).
EXPORT_INLINE_ROWS = env_int("EXPORT_INLINE_ROWS", 20000)
EXPORT_JOBS_PER_USER = env_int("EXPORT_JOBS_PER_USER", 3)
IATI_MAX_AGE_SECONDS = env_int("IATI_MAX_AGE_SECONDS", 3600)

# Kosovo has no ISO 3166-1 code of its own; XK is the user-assigned code that the EU, the World
# Bank and IATI's Country code list use for it, so projects may name it as a beneficiary country.
COUNTRIES_OVERRIDE = {"XK": _("Kosovo")}

# The portal's own address, for links in e-mails and exported files.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# Passkeys (WebAuthn) as a second factor, with django-otp-webauthn (accounts/passkeys.py). A passkey is bound
# to a domain name (the relying party ID), never to an IP address, and is offered only on the origins listed.
_portal_address = urlsplit(PORTAL_BASE_URL)
_portal_host = _portal_address.hostname or "localhost"
OTP_WEBAUTHN_RP_ID = env.str(
    "WEBAUTHN_RP_ID", default="localhost" if _portal_host.replace(".", "").isdigit() else _portal_host
)
OTP_WEBAUTHN_RP_NAME = "MPF Portal"
if _portal_address.scheme == "https":
    _default_origins = [f"https://{_portal_address.netloc}"]
else:  # development: browsers offer passkeys over plain HTTP on localhost only
    _default_origins = ["http://localhost" + (f":{_portal_address.port}" if _portal_address.port else "")]
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list("WEBAUTHN_ORIGINS", default=_default_origins)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False  # a second factor after the password, never instead of it
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = "mpf.security"

# Read API (dashboards/api.py): session or token authentication, read-only, paginated.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [  # token first: a refused one is answered 401 with WWW-Authenticate
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "dashboards.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# The longest the dashboards' figures may be served from the cache (dashboards/cache.py): they are
# keyed by the data generation that services move on, so this bounds only writes made elsewhere; 0: never.
DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 300)
SPECTACULAR_SETTINGS = {
    "TITLE": "MPF Portal read API",
    "DESCRIPTION": "Projects, activities, budget lines, expenditures and published concept editions, "
    "with the same visibility as the portal's pages.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The instrument filter's values are the funding instruments in the database at each request.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "dashboards.api.instrument_codes_hook"],
}
