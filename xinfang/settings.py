"""Settings for xinfang.

Infrastructure comes from the environment (STYLE.md habit 6); policy lives in the database.
With no environment at all the product runs on SQLite in ``var/`` for a city or a demo.

Environment variables:
    DATABASE_URL         e.g. ``postgres://user@host:5432/xinfang``; default SQLite in var/.
    XINFANG_DB_CONN_MAX_AGE seconds a database connection is kept for reuse (default 60).
    DATABASE_REPLICA_URL a streaming replica the statistics read from (default: none, all on ``default``).
    XINFANG_SECRET_KEY, XINFANG_VAULT_KEYS, XINFANG_LOOKUP_KEY  the keys: required when
                         XINFANG_PRODUCTION=1, otherwise generated into var/secrets.json on the
                         first run (xinfang.local_secrets).
    XINFANG_PRODUCTION   ``1`` turns on the production hardening (HTTPS, secure cookies, HSTS).
    XINFANG_ALLOWED_HOSTS comma-separated host names.
    XINFANG_VAR_DIR      where the SQLite file, uploads and outboxes live (default ``var/``).
    EMAIL_HOST, EMAIL_PORT, DEFAULT_FROM_EMAIL  the SMTP server for notifications.
    Every variable read below is listed in docs/operations.md ("Environment"; tests/test_operations_env.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from xinfang import local_secrets

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("XINFANG_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


PRODUCTION = env_flag("XINFANG_PRODUCTION")
DEBUG = env_flag("XINFANG_DEBUG", default=not PRODUCTION)

# No key lives in the repository: the environment's, or (outside production) var/secrets.json's.
_keys = local_secrets.configured(os.environ, production=PRODUCTION, directory=VAR_DIR)
SECRET_KEY = _keys.secret_key

ALLOWED_HOSTS = [h for h in os.environ.get("XINFANG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "xinfang.orgs",
    "xinfang.accounts",
    "xinfang.deadlines",
    "xinfang.letters",
    "xinfang.publication",
    "xinfang.routing",
    "xinfang.audit",
    "xinfang.worker",
    "xinfang.notifications",
    "xinfang.notices",
    "xinfang.signin",
    "xinfang.portal",
    "xinfang.console",
    "xinfang.explanations",
    "xinfang.pages",
    "xinfang.analysis",
    "xinfang.statistics",
    "xinfang.api",
    "xinfang.open311",
    "ninja",  # its Swagger UI files, served from our own static files (no CDN): /api/v1/docs
    "xinfang.mailin",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, as django-axes requires: refuses sign-in while an account or address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "xinfang.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "xinfang" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xinfang.pages.context_processors.inbox",
            ],
        },
    },
]

WSGI_APPLICATION = "xinfang.wsgi.application"

# Connections are kept for a minute and reused (a new PostgreSQL connection per request cost
# intake a third of its throughput: docs/benchmarks.md, issue 17); a kept connection is checked
# before a request uses it, so a restarted server costs one failed check, not a failed request.
# XINFANG_DB_CONN_MAX_AGE=0 closes each at the end of its request.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'xinfang.sqlite3'}",
        conn_max_age=int(os.environ.get("XINFANG_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web server share the file; IMMEDIATE transactions make
    # writers queue instead of failing with "database is locked" half-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The console's queries are short index scans; PostgreSQL's JIT compiled each one for
    # 100-400 ms at a million letters before running it in a few (docs/benchmarks.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# A streaming replica of the PostgreSQL primary for the statistics pages, the worker's statistics
# exports and the periodic reports (docs/scaling.md §5; ``xinfang.statistics.replica``). They read
# the rollups there, which change only when the worker counts; every write, and the live figures
# ("overdue now"), stay on the primary. Under test the alias mirrors ``default``.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(
            os.environ["DATABASE_REPLICA_URL"],
            conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
            conn_health_checks=True,
        ),
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "xinfang" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end libraries come from npm (package-lock.json) and are served by the app, never a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "xinfang" / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"


def file_storage(environ: Mapping[str, str]) -> dict[str, Any]:
    """Where stored files go (attachments, written notices, exports, periodic reports): every one is
    written, read and deleted through Django's storage API. ``XINFANG_STORAGE=filesystem`` (default):
    MEDIA_ROOT, for one machine. ``s3``: an S3-compatible bucket (django-storages) that every web and
    worker host shares. The bucket stays private: files leave only through the product's download
    views, never by a bucket address."""
    kind = environ.get("XINFANG_STORAGE", "filesystem")
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    bucket = environ.get("XINFANG_S3_BUCKET", "")
    if kind != "s3" or not bucket:
        raise ImproperlyConfigured("XINFANG_STORAGE is filesystem, or s3 with XINFANG_S3_BUCKET set")
    options = {
        "bucket_name": bucket,
        "location": environ.get("XINFANG_S3_PREFIX", ""),
        "endpoint_url": environ.get("XINFANG_S3_ENDPOINT_URL") or None,
        "region_name": environ.get("XINFANG_S3_REGION") or None,
        "addressing_style": environ.get("XINFANG_S3_ADDRESSING_STYLE") or None,
        # Unset: boto3's own chain (AWS_* variables, the host's instance role).
        "access_key": environ.get("XINFANG_S3_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("XINFANG_S3_SECRET_ACCESS_KEY") or None,
        "file_overwrite": False,  # as on disk: a name already taken gets another, nothing is overwritten
        "default_acl": None,  # the bucket's own, private
        "max_memory_size": 2 * 1024 * 1024,  # a larger download is spooled to a temporary file
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": file_storage(os.environ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# One cache for every web process, in the database (the table is made by migration pages/0002): a
# cache in each process would let two processes behind one address show different figures.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "xinfang_cache",
        "OPTIONS": {"MAX_ENTRIES": 20000},  # a public statistics page per mailbox and month, and more
    }
}

LOGIN_URL = "/console/login/"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}

EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "xinfang@localhost")
if not PRODUCTION and "EMAIL_HOST" not in os.environ:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("XINFANG_LOG_LEVEL", "INFO")},
    # The task library logs every task's start and end at INFO: thousands of lines a minute under
    # load (and while the demo is seeded), burying what matters. Failures are still logged.
    "loggers": {"django_tasks": {"level": os.environ.get("XINFANG_TASK_LOG_LEVEL", "WARNING")}},
}

# The open-letter indexes carry INCLUDE columns for PostgreSQL's index-only scans; SQLite, the
# embedded default, builds them without those columns (models.W040), which costs it nothing.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Text messages (SMS): see xinfang.notifications.sms. "console" logs, "file" appends JSON lines
# to var/sms/, "locmem" keeps an outbox for tests, "http" posts to the operator's gateway.
SMS_BACKEND = os.environ.get("XINFANG_SMS_BACKEND", "http" if PRODUCTION else "file")
SMS_GATEWAY_URL = os.environ.get("XINFANG_SMS_GATEWAY_URL", "")
SMS_GATEWAY_KEY = os.environ.get("XINFANG_SMS_GATEWAY_KEY", "")
SMS_GATEWAY_TIMEOUT = float(os.environ.get("XINFANG_SMS_GATEWAY_TIMEOUT", "5"))
SMS_FILE_DIR = VAR_DIR / "sms"
# Demo mode (never with XINFANG_PRODUCTION=1): staff read what the file back-ends wrote, sign-up
# codes included, on the demo outbox page (/console/demo/outbox/; docs/demo.md).
XINFANG_DEMO = not PRODUCTION and env_flag("XINFANG_DEMO", default=True)

# How many days before a due date the sweep warns that a letter is due soon.
XINFANG_DUE_SOON_DAYS = int(os.environ.get("XINFANG_DUE_SOON_DAYS", "3"))

# Uploads: attachments to letters (xinfang.letters.attachments). Limits are per file and per
# letter; CLAMD_ADDRESS ("tcp://host:port" or "unix:///path/to/clamd.ctl") turns on the virus
# scan, which then fails closed: no upload is accepted while clamd cannot be reached.
XINFANG_ATTACHMENT_MAX_BYTES = int(os.environ.get("XINFANG_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
XINFANG_ATTACHMENTS_PER_LETTER = int(os.environ.get("XINFANG_ATTACHMENTS_PER_LETTER", "20"))
CLAMD_ADDRESS = os.environ.get("CLAMD_ADDRESS", "")
CLAMD_TIMEOUT = float(os.environ.get("CLAMD_TIMEOUT", "30"))

# Letters by e-mail (xinfang.mailin; docs/api.md, "Letters by e-mail"): `manage.py mail_in` listens
# for SMTP on HOST:PORT behind the relay the mailboxes' MX records name, and refuses messages over
# MAX_BYTES (552), more than MAX_RECIPIENTS mailboxes per message and more than PER_SENDER_PER_HOUR
# messages from one sender address an hour. HOSTNAME is the name in its greeting (default: this host's).
XINFANG_MAILIN_HOST = os.environ.get("XINFANG_MAILIN_HOST", "127.0.0.1")
XINFANG_MAILIN_PORT = int(os.environ.get("XINFANG_MAILIN_PORT", "2525"))
XINFANG_MAILIN_HOSTNAME = os.environ.get("XINFANG_MAILIN_HOSTNAME", "")
XINFANG_MAILIN_MAX_BYTES = int(os.environ.get("XINFANG_MAILIN_MAX_BYTES", str(25 * 1024 * 1024)))
XINFANG_MAILIN_MAX_RECIPIENTS = int(os.environ.get("XINFANG_MAILIN_MAX_RECIPIENTS", "5"))
XINFANG_MAILIN_PER_SENDER_PER_HOUR = int(os.environ.get("XINFANG_MAILIN_PER_SENDER_PER_HOUR", "10"))

# Staff sign-in (xinfang.signin): password, then a TOTP code; failures locked out by django-axes.
#   XINFANG_SIGNIN_FAILURE_LIMIT   failed attempts per username and address before a lockout (5)
#   XINFANG_SIGNIN_LOCKOUT_MINUTES how long a lockout lasts (15)
#   XINFANG_SIGNIN_IDLE_MINUTES    a staff session ends after this long without a request (30)
#   XINFANG_SIGNIN_ABSOLUTE_HOURS  and in any case this long after signing in (12)
#   XINFANG_OTP_ISSUER             the name authenticator apps show next to the account
SIGNIN_IDLE_MINUTES = int(os.environ.get("XINFANG_SIGNIN_IDLE_MINUTES", "30"))
SIGNIN_ABSOLUTE_HOURS = int(os.environ.get("XINFANG_SIGNIN_ABSOLUTE_HOURS", "12"))
SIGNIN_STEP_MINUTES = 10  # how long the password step waits for its second factor
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "xinfang.signin.middleware.StaffSessionTimeoutMiddleware",
)
AXES_FAILURE_LIMIT = int(os.environ.get("XINFANG_SIGNIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = int(os.environ.get("XINFANG_SIGNIN_LOCKOUT_MINUTES", "15")) / 60  # hours, as a float
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lockout ends when announced, not later
AXES_LOCKOUT_CALLABLE = "xinfang.signin.views.locked_out"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
AXES_VERBOSE = False  # no "AXES: BEGIN version …" banner on every command; lockouts are still logged
OTP_TOTP_ISSUER = os.environ.get("XINFANG_OTP_ISSUER", "公安信访")
OTP_TOTP_THROTTLE_FACTOR = 1  # after each wrong code the next try waits 1, 2, 4, 8 … seconds
OTP_STATIC_THROTTLE_FACTOR = 1

# Security hardening: headers on every response (xinfang.middleware.SecurityHeadersMiddleware,
# just inside Django's SecurityMiddleware so that it also sees redirects and lockout pages) and
# the acting user for audit rows whose signal does not carry one (xinfang.audit.middleware).
# No inline <script>, <style> or style="…": every script and stylesheet is a static file.
XINFANG_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    ]
)
XINFANG_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), serial=(), usb=()"
)
# Pages that always get Cache-Control: no-store (besides every response to a signed-in user and every POST).
XINFANG_NO_STORE_PATHS = ("/console/", "/inbox/", "/admin/")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "xinfang.middleware.SecurityHeadersMiddleware",
)
# Outermost: HEAD reaches every view as GET and leaves without the body (xinfang.middleware).
MIDDLEWARE.insert(0, "xinfang.middleware.HeadAsGetMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "xinfang.audit.middleware.AuditActorMiddleware",
)
if PRODUCTION:
    LANGUAGE_COOKIE_SECURE = True
    LANGUAGE_COOKIE_HTTPONLY = True
    LANGUAGE_COOKIE_SAMESITE = "Lax"

# Notifications (xinfang.notifications) and the worker (xinfang.worker;
# docs/decisions/0004-background-work-with-django-tasks-db.md).
# Links in SMS and e-mail point at this address. Deliveries are tried up to MAX_ATTEMPTS times,
# BASE, 2×BASE, 4×BASE … seconds apart (at most RETRY_MAX); THROTTLE limits each recipient to
# (count, per seconds) per channel of the messages people type at will, later ones waiting for the
# window (a step of the procedure is never held back: notifications.defaults.AT_WILL_KINDS). A task or delivery
# claimed longer ago than TASK_LEASE is taken to belong to a dead worker and is run again.
XINFANG_SITE_URL = os.environ.get("XINFANG_SITE_URL", "http://127.0.0.1:8000")
NOTIFICATIONS_MAX_ATTEMPTS = int(os.environ.get("XINFANG_NOTIFY_MAX_ATTEMPTS", "8"))
NOTIFICATIONS_RETRY_BASE_SECONDS = int(os.environ.get("XINFANG_NOTIFY_RETRY_BASE_SECONDS", "30"))
NOTIFICATIONS_RETRY_MAX_SECONDS = 6 * 3600
NOTIFICATIONS_THROTTLE = {
    "sms": (int(os.environ.get("XINFANG_SMS_PER_HOUR", "6")), 3600),
    "email": (int(os.environ.get("XINFANG_EMAIL_PER_HOUR", "60")), 3600),
}
XINFANG_TASK_LEASE_SECONDS = int(os.environ.get("XINFANG_TASK_LEASE_SECONDS", "600"))
XINFANG_WORKER_POLL_SECONDS = float(os.environ.get("XINFANG_WORKER_POLL_SECONDS", "1"))
# The letter pages an inbox entry links to (URL names taking ``public_id``), once they exist.
NOTIFICATIONS_LETTER_URLS = {"citizen": "portal:letter", "staff": "console:letter"}

# Identity vault (xinfang.vault): citizens' names, ID numbers, phones and addresses and anonymous
# callers' numbers are encrypted at rest (AES-256-GCM) and found by keyed hashes (HMAC-SHA256).
#   XINFANG_VAULT_KEYS  comma-separated keys, 32 random bytes each in URL-safe base64 (make one with
#                       `python -c 'from xinfang.vault import generate_key; print(generate_key())'`);
#                       the first encrypts, all decrypt. Rotate: new key first, restart, `manage.py vault_rotate`,
#                       then drop the old key.
#   XINFANG_LOOKUP_KEY  the key of the look-up hashes (32+ characters); after changing it run vault_rotate.
# Both are required with XINFANG_PRODUCTION=1 (start-up fails without them); otherwise they are
# generated into var/secrets.json on the first run (xinfang.local_secrets; docs/operations.md, Keys).
XINFANG_VAULT_KEYS = _keys.vault_keys
XINFANG_LOOKUP_KEY = _keys.lookup_key
# The transparency log (xinfang.audit; docs/transparency.md): the worker seals new entries into
# the Merkle tree every XINFANG_LOG_SEAL_SECONDS and signs the tree head with XINFANG_LOG_SIGNING_KEY
# (Ed25519, 32 random bytes in base64; required with XINFANG_PRODUCTION=1, else generated into
# var/log-signing-key), and copies every signed head into XINFANG_LOG_SINK_DIR, outside the database.
XINFANG_LOG_SIGNING_KEY = local_secrets.log_signing_key(os.environ, production=PRODUCTION, directory=VAR_DIR)
XINFANG_LOG_SEAL_SECONDS = int(os.environ.get("XINFANG_LOG_SEAL_SECONDS", "10"))
XINFANG_LOG_SINK_DIR = Path(os.environ.get("XINFANG_LOG_SINK_DIR", VAR_DIR / "tree-heads"))
# Retention (xinfang.worker.retention, run daily by the worker): days to keep finished task results.
XINFANG_TASK_RESULT_DAYS = int(os.environ.get("XINFANG_TASK_RESULT_DAYS", "7"))
XINFANG_FAILED_TASK_RESULT_DAYS = int(os.environ.get("XINFANG_FAILED_TASK_RESULT_DAYS", "30"))
# Days a large letter-list export made by the worker stays downloadable (xinfang.statistics.exports): the file
# is then deleted and "My exports" says it expired. Two weeks outlast a long holiday; a list can be exported again.
XINFANG_EXPORT_RETENTION_DAYS = int(os.environ.get("XINFANG_EXPORT_RETENTION_DAYS", "14"))
# Days the sender's address of an e-mail that became no letter is kept (xinfang.mailin.retention): long
# enough to answer a writer who asks why, with no letter to keep it for.
XINFANG_MAILIN_REFUSED_DAYS = int(os.environ.get("XINFANG_MAILIN_REFUSED_DAYS", "30"))
# Identity retention (xinfang.accounts.retention; the same daily job and `manage.py erase_identities`):
# a writer's identity is erased this many days after their last letter was finished (and their last
# sign-in); the letters and statistics stay. Five years by default: far beyond the review and
# re-examination windows, long enough to recognise a writer who comes back with the same matter, and
# the outer limit for most suits over an administrative act (行政诉讼法 art. 46). Set it to the local
# archives rule; erasure cannot be undone, so the value must be at least 1.
XINFANG_IDENTITY_RETENTION_DAYS = int(os.environ.get("XINFANG_IDENTITY_RETENTION_DAYS", "1825"))

# Real-name verification of citizens (xinfang.accounts.verification; docs/operations.md, Real-name
# verification). XINFANG_IDENTITY_BACKENDS lists the ways a citizen proves who they are:
#   oidc    the provincial unified identity platform (OpenID Connect): name, ID number and phone
#           come signed from the platform (XINFANG_OIDC_*);
#   format  the sign-up form with an SMS code: the ID number's format only, nothing checks that
#           name and number belong together. Refused with XINFANG_PRODUCTION=1 unless the operator
#           sets XINFANG_IDENTITY_ALLOW_FORMAT_ONLY=1 (a deploy check says so).
# By default: oidc in production; elsewhere format, and oidc too when an issuer is configured.
XINFANG_OIDC_ISSUER = os.environ.get("XINFANG_OIDC_ISSUER", "").rstrip("/")
XINFANG_OIDC_CLIENT_ID = os.environ.get("XINFANG_OIDC_CLIENT_ID", "")
XINFANG_OIDC_CLIENT_SECRET = os.environ.get("XINFANG_OIDC_CLIENT_SECRET", "")
XINFANG_OIDC_SCOPES = os.environ.get("XINFANG_OIDC_SCOPES", "openid profile phone id_card")
XINFANG_OIDC_ID_NUMBER_CLAIM = os.environ.get("XINFANG_OIDC_ID_NUMBER_CLAIM", "id_number")
XINFANG_OIDC_TIMEOUT = float(os.environ.get("XINFANG_OIDC_TIMEOUT", "10"))
XINFANG_OIDC_PROVIDER_NAME = os.environ.get("XINFANG_OIDC_PROVIDER_NAME", "")
XINFANG_IDENTITY_BACKENDS = [
    name.strip()
    for name in os.environ.get(
        "XINFANG_IDENTITY_BACKENDS", "oidc" if PRODUCTION else ("format,oidc" if XINFANG_OIDC_ISSUER else "format")
    ).split(",")
    if name.strip()
]
XINFANG_IDENTITY_ALLOW_FORMAT_ONLY = env_flag("XINFANG_IDENTITY_ALLOW_FORMAT_ONLY")
