"""Reading settings from the environment: strict, with safe defaults and no insecure fallbacks.

Every setting of ExtraMile comes from an ``EXTRAMILE_*`` environment variable. A value that cannot
be parsed is an error at start-up (``ImproperlyConfigured``), never a silent default.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    """A boolean setting: true/false, yes/no, on/off, 1/0; anything else is an error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of true/false, yes/no, on/off, 1/0."
    )


def env_int(name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole-number setting within ``minimum``–``maximum``; anything else is an error."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise ImproperlyConfigured(f"{name}={raw!r}: use a number at least {minimum}{upper}.")
    return value


def _whole_number(name: str, raw: str, minimum: int = 1) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r}: use a number at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def data_dir() -> Path:
    path = Path(os.environ.get("EXTRAMILE_DATA_DIR") or "var").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """``EXTRAMILE_SECRET_KEY``, or a key generated once and kept in the data directory."""
    from_env = os.environ.get("EXTRAMILE_SECRET_KEY")
    if from_env is not None:
        if len(from_env) < 32:
            raise ImproperlyConfigured("EXTRAMILE_SECRET_KEY must be at least 32 characters long.")
        return from_env
    path = directory / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if len(key) < 32:
            raise ImproperlyConfigured(f"{path} holds no usable secret key; delete it.") from None
        return key
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def secret_key_fallbacks() -> list[str]:
    """``EXTRAMILE_SECRET_KEY_FALLBACKS``: earlier secret keys, comma-separated, still accepted for
    signatures made with them (unsubscribe links in e-mails already sent) and for mailbox
    passwords encrypted with a key derived from them. Django's ``SECRET_KEY_FALLBACKS``."""
    keys = env_list("EXTRAMILE_SECRET_KEY_FALLBACKS", [])
    for number, key in enumerate(keys, start=1):
        if len(key) < 32:
            raise ImproperlyConfigured(
                f"EXTRAMILE_SECRET_KEY_FALLBACKS: key {number} is shorter than 32 characters."
            )
    return keys


def database(url: str | None, directory: Path) -> dict[str, Any]:
    """Django's DATABASES['default'] from ``EXTRAMILE_DATABASE_URL`` (SQLite file by default)."""
    if not url:
        return sqlite(directory / "extramile.sqlite3")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path
        path = unquote(parts.path)[1:] if parts.path.startswith("/") else unquote(parts.path)
        if not path:
            raise ImproperlyConfigured("EXTRAMILE_DATABASE_URL=sqlite:/// needs a file path.")
        return sqlite(Path(path))
    if scheme in {"postgres", "postgresql", "pgsql"}:
        import dj_database_url

        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
        config["ENGINE"] = "django.db.backends.postgresql"
        config["CONN_HEALTH_CHECKS"] = True
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        # No JIT compilation: it costs 0.1–2 s on the dashboards' grouped queries over big tables
        # and gains nothing on queries this short (bench/culture.py). ``?options=`` replaces it.
        options.setdefault("options", "-c jit=off")
        config["OPTIONS"] = options
        return config
    raise ImproperlyConfigured(
        f"EXTRAMILE_DATABASE_URL scheme {scheme!r} is not supported: use sqlite:/// or postgres://."
    )


def sqlite(path: Path) -> dict[str, Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # One connection per process, kept between requests: a new one costs its page cache
        # (every page read again from the file) and the schema parse, 5–15 ms a request at
        # 300,000 customers (bench/web.py). Autocommit holds no read snapshot between requests.
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on the busy
            # timeout instead of failing with "database is locked" half-way through a transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA cache_size=-65536;"
            ),
        },
        "TEST": {"NAME": str(path.with_name(path.stem + "-test.sqlite3"))},
    }


def email(url: str | None) -> dict[str, Any]:
    """Django e-mail settings from ``EXTRAMILE_EMAIL_URL``.

    ``smtp://user:pass@host:25``, ``smtp+tls://…:587`` (STARTTLS), ``smtps://…:465`` (TLS),
    ``console://`` (print mails) or ``memory://`` (tests). Unset: mails are printed to the console.
    """
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme not in {"smtp", "smtp+tls", "smtps"}:
        raise ImproperlyConfigured(
            f"EXTRAMILE_EMAIL_URL scheme {scheme!r} is not supported: "
            "use smtp://, smtp+tls://, smtps:// or console://."
        )
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    try:
        port = parts.port or {"smtp": 25, "smtp+tls": 587, "smtps": 465}[scheme]
    except ValueError as exc:
        raise ImproperlyConfigured(f"EXTRAMILE_EMAIL_URL has a bad port: {exc}") from None
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_USE_SSL": scheme == "smtps",
        "EMAIL_TIMEOUT": _whole_number("EXTRAMILE_EMAIL_URL timeout", query.get("timeout", "30")),
        "DEFAULT_FROM_EMAIL": query.get("from", "ExtraMile <extramile@localhost>"),
    }
