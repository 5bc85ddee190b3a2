"""Django settings for ExtraMile. Every value comes from an EXTRAMILE_* environment variable.

See README.md ("Configuration") for the list. Nothing here is insecure by default: DEBUG is off,
the secret key is generated once into the data directory, and storage is in UTC.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from extramile import config
from extramile.ops import logs as ops_logs

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = config.data_dir()

SECRET_KEY = config.secret_key(DATA_DIR)
SECRET_KEY_FALLBACKS = config.secret_key_fallbacks()
DEBUG = config.env_bool("EXTRAMILE_DEBUG", default=False)
ALLOWED_HOSTS = config.env_list("EXTRAMILE_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = config.env_list("EXTRAMILE_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("EXTRAMILE_SITE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    # First, so its templates (login, password reset) win over the admin's.
    "extramile.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # /api/docs from its own static files, not a CDN
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "extramile.accounts",
    "extramile.book",
    "extramile.agenda",
    "extramile.cards",
    "extramile.service",
    "extramile.inbox",
    "extramile.outreach",
    "extramile.outbox",
    "extramile.articles",
    "extramile.value",
    "extramile.ideas",
    "extramile.culture",
    "extramile.playbook",
    "extramile.gifts",
    "extramile.team",
    "extramile.insights",
    "extramile.rollups",
    "extramile.api",
    "extramile.exports",
    "extramile.feeds",
    "extramile.imports",
    "extramile.mailsync",
    "extramile.backups",
    "extramile.ops",
    "extramile.timeline",
    "extramile.replies",
    "extramile.offline",
    "extramile.runtime",
]

MIDDLEWARE = [
    # Outermost: the request id is on every log line below, and the timing covers everything.
    "extramile.ops.requestid.RequestIdMiddleware",
    "extramile.ops.metrics.RequestMetricsMiddleware",
    "extramile.accounts.middleware.CompanyOncePerRequest",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "extramile.web.middleware.PrivateHeaders",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "extramile.accounts.middleware.UserTimezoneMiddleware",
    # Today's counters ride along with every answer that changes one of Today's rows.
    "extramile.web.middleware.TodayCounts",
    # A page POST sent again with the same Idempotency-Key (the offline queue) is done once.
    "extramile.offline.middleware.IdempotencyMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "extramile.urls"
WSGI_APPLICATION = "extramile.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "extramile.web.context.shell",
            ],
        },
    },
]

DATABASES = {"default": config.database(os.environ.get("EXTRAMILE_DATABASE_URL"), DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a sign-in while its user name or address is locked out (django-axes).
    "extramile.accounts.backends.SignInGuard",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "today"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

# Uploads: refuse huge request bodies with a clear 400 instead of filling memory or disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# HTTPS (docs/operations.md, "Headers"): EXTRAMILE_HTTPS=true redirects http to https, marks the
# cookies secure and sends HSTS; EXTRAMILE_PROXIES=N says N reverse proxies stand in front, so
# X-Forwarded-Proto tells https and X-Forwarded-For the client's address.
HTTPS = config.env_bool("EXTRAMILE_HTTPS", default=False)
PROXIES = config.env_int("EXTRAMILE_PROXIES", 0, maximum=5)
SECURE_COOKIES = HTTPS or config.env_bool("EXTRAMILE_SECURE_COOKIES", default=False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = config.env_int("EXTRAMILE_HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and config.env_bool("EXTRAMILE_HSTS_PRELOAD", default=False)
if PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Preloading HSTS is a promise for a whole domain and its subdomains, which the owner of the
# domain makes (EXTRAMILE_HSTS_PRELOAD=true), not the app: so its reminder is off.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# fields.W161 warns of a date or time default within ten seconds of now (a frozen "now" by mistake);
# the digest's 07:00 is a time of day on purpose, and every command run at 07:00:00 UTC printed it.
SILENCED_SYSTEM_CHECKS.append("fields.W161")

# Content-Security-Policy (django-csp): scripts, styles, images and fonts from this app only;
# no inline script, no inline style, no eval (htmx runs with allowEval off), no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Powerful browser features the app never uses, turned off for its pages.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=()"
)

# Sign-in throttling (docs/operations.md, "Sign-in throttling"): after EXTRAMILE_LOCKOUT_FAILURES
# wrong passwords for one user name (known or not) or from one address, sign-in from there waits
# EXTRAMILE_LOCKOUT_MINUTES. django-axes keeps the count in the database (shared by every web
# process); API tokens and calendar links use the same numbers (extramile.accounts.throttle).
LOCKOUT_FAILURES = config.env_int("EXTRAMILE_LOCKOUT_FAILURES", 10, minimum=1)
LOCKOUT_MINUTES = config.env_int("EXTRAMILE_LOCKOUT_MINUTES", 15, minimum=1)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Both read LOCKOUT_FAILURES / LOCKOUT_MINUTES when asked, so there is one source for the numbers.
AXES_FAILURE_LIMIT = "extramile.accounts.throttle.axes_failure_limit"
AXES_COOLOFF_TIME = "extramile.accounts.throttle.axes_cool_off"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "extramile.accounts.throttle.axes_username"
AXES_CLIENT_IP_CALLABLE = "extramile.accounts.throttle.axes_client_address"
AXES_LOCKOUT_CALLABLE = "extramile.web.lockout.lockout_response"
# A right password does not wipe the count: else a person with an account could guess at a
# colleague's between sign-ins of their own.
AXES_RESET_ON_SUCCESS = False
# A sign-in tried while locked out does not push the end of the lockout further: the time the
# lockout page names holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False

_email = config.email(os.environ.get("EXTRAMILE_EMAIL_URL"))
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = _email.get("EMAIL_TIMEOUT")
DEFAULT_FROM_EMAIL = _email.get("DEFAULT_FROM_EMAIL") or "ExtraMile <extramile@localhost>"

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if config.env_bool("EXTRAMILE_TASKS_IMMEDIATE", default=False)
            else "django_tasks_db.DatabaseBackend"
        ),
        # "plans": the nightly plans (minutes each on a big book), so a worker can be kept off
        # them (``extramile worker --queues default``) where it shares cores with the pages.
        "QUEUES": ["default", "plans"],
    }
}

# How the nightly plan is scheduled: minutes after local midnight.
EXTRAMILE_PLAN_AT_MINUTE = config.env_int("EXTRAMILE_PLAN_AT_MINUTE", 5)

# The currency of every amount the pages show (sales, rewards, opportunities): an ISO 4217 code.
EXTRAMILE_CURRENCY = os.environ.get("EXTRAMILE_CURRENCY", "USD").strip().upper() or "USD"
if not re.fullmatch(r"[A-Z]{3}", EXTRAMILE_CURRENCY):
    raise ImproperlyConfigured(
        f"EXTRAMILE_CURRENCY must be a three-letter ISO 4217 code such as USD or EUR, "
        f"not {EXTRAMILE_CURRENCY!r}."
    )

# Mailbox sync (docs/mailbox.md): Fernet keys for the stored IMAP passwords (comma-separated, the
# first encrypts; unset: derived from the secret key), an extra CA file to trust, how often a
# mailbox is polled, and how many days before connecting are read.
EXTRAMILE_MAILBOX_KEYS = config.env_list("EXTRAMILE_MAILBOX_KEY", [])
EXTRAMILE_MAILBOX_CA_FILE = os.environ.get("EXTRAMILE_MAILBOX_CA_FILE", "")
# Mail servers users may connect (host names; ".example.com" for a domain); empty: any.
EXTRAMILE_MAILBOX_HOSTS = [
    host.rstrip(".").lower() for host in config.env_list("EXTRAMILE_MAILBOX_HOSTS", [])
]
EXTRAMILE_MAILBOX_POLL_MINUTES = config.env_int("EXTRAMILE_MAILBOX_POLL_MINUTES", 2)
EXTRAMILE_MAILBOX_LOOKBACK_DAYS = config.env_int("EXTRAMILE_MAILBOX_LOOKBACK_DAYS", 0)

# Logs: plain lines or JSON lines (EXTRAMILE_LOG_FORMAT=json), each with the request id
# (docs/operations.md, "Logs").
LOGGING = ops_logs.config(
    os.environ.get("EXTRAMILE_LOG_FORMAT", "plain"), os.environ.get("EXTRAMILE_LOG_LEVEL", "")
)

# /metrics answers only with this bearer token; unset, it is a 404 (docs/operations.md).
EXTRAMILE_METRICS_TOKEN = os.environ.get("EXTRAMILE_METRICS_TOKEN", "")
