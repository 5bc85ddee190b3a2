"""Django settings for ExtraMile. Every value comes from an EXTRAMILE_* environment variable.

See README.md ("Configuration") for the list. Nothing here is insecure by default: DEBUG is off,
the secret key is generated once into the data directory, and storage is in UTC.
"""

from __future__ import annotations

import os
from pathlib import Path

from extramile import config

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = config.data_dir()

SECRET_KEY = config.secret_key(DATA_DIR)
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
    "extramile.team",
    "extramile.insights",
    "extramile.rollups",
    "extramile.api",
    "extramile.exports",
    "extramile.feeds",
    "extramile.imports",
    "extramile.mailsync",
    "extramile.timeline",
    "extramile.replies",
    "extramile.offline",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "extramile.accounts.middleware.UserTimezoneMiddleware",
    # Last: a page POST sent again with the same Idempotency-Key (the offline queue) is done once.
    "extramile.offline.middleware.IdempotencyMiddleware",
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
SECURE_COOKIES = config.env_bool("EXTRAMILE_SECURE_COOKIES", default=False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES

globals().update(config.email(os.environ.get("EXTRAMILE_EMAIL_URL")))
DEFAULT_FROM_EMAIL = globals().get("DEFAULT_FROM_EMAIL") or "ExtraMile <extramile@localhost>"

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if config.env_bool("EXTRAMILE_TASKS_IMMEDIATE", default=False)
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# How the nightly plan is scheduled: minutes after local midnight.
EXTRAMILE_PLAN_AT_MINUTE = int(os.environ.get("EXTRAMILE_PLAN_AT_MINUTE", "5"))

# Mailbox sync (docs/mailbox.md): Fernet keys for the stored IMAP passwords (comma-separated, the
# first encrypts; unset: derived from the secret key), an extra CA file to trust, how often a
# mailbox is polled, and how many days before connecting are read.
EXTRAMILE_MAILBOX_KEYS = config.env_list("EXTRAMILE_MAILBOX_KEY", [])
EXTRAMILE_MAILBOX_CA_FILE = os.environ.get("EXTRAMILE_MAILBOX_CA_FILE", "")
# Mail servers users may connect (host names; ".example.com" for a domain); empty: any.
EXTRAMILE_MAILBOX_HOSTS = [
    host.rstrip(".").lower() for host in config.env_list("EXTRAMILE_MAILBOX_HOSTS", [])
]
EXTRAMILE_MAILBOX_POLL_MINUTES = int(os.environ.get("EXTRAMILE_MAILBOX_POLL_MINUTES", "2"))
EXTRAMILE_MAILBOX_LOOKBACK_DAYS = int(os.environ.get("EXTRAMILE_MAILBOX_LOOKBACK_DAYS", "0"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("EXTRAMILE_LOG_LEVEL", "WARNING")},
    "loggers": {
        "extramile": {"level": os.environ.get("EXTRAMILE_LOG_LEVEL", "INFO"), "propagate": True},
    },
}
