"""Settings come from the environment, strictly parsed, with no insecure defaults."""

from __future__ import annotations

import pytest
from django.core.checks import Error
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from extramile import config
from extramile.checks import utc_storage


@pytest.mark.parametrize("word", ["1", "true", "YES", " on "])
def test_true_words(monkeypatch, word):
    monkeypatch.setenv("EXTRAMILE_DEBUG", word)
    assert config.env_bool("EXTRAMILE_DEBUG") is True


@pytest.mark.parametrize("word", ["0", "false", "No", "off", ""])
def test_false_words(monkeypatch, word):
    monkeypatch.setenv("EXTRAMILE_DEBUG", word)
    assert config.env_bool("EXTRAMILE_DEBUG", default=True) is False


def test_debug_is_off_by_default(monkeypatch):
    monkeypatch.delenv("EXTRAMILE_DEBUG", raising=False)
    assert config.env_bool("EXTRAMILE_DEBUG") is False


@pytest.mark.parametrize("word", ["maybe", "2", "tru", "enabled"])
def test_a_bad_boolean_is_an_error_not_a_default(monkeypatch, word):
    monkeypatch.setenv("EXTRAMILE_DEBUG", word)
    with pytest.raises(ImproperlyConfigured, match="EXTRAMILE_DEBUG"):
        config.env_bool("EXTRAMILE_DEBUG")


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("EXTRAMILE_SECRET_KEY", raising=False)
    first = config.secret_key(tmp_path)
    second = config.secret_key(tmp_path)
    assert first == second
    assert len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_secret_keys_differ_between_installations(tmp_path, monkeypatch):
    monkeypatch.delenv("EXTRAMILE_SECRET_KEY", raising=False)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert config.secret_key(tmp_path / "a") != config.secret_key(tmp_path / "b")


def test_a_short_secret_key_from_the_environment_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("EXTRAMILE_SECRET_KEY", "short")
    with pytest.raises(ImproperlyConfigured, match="at least 32"):
        config.secret_key(tmp_path)


def test_default_database_is_sqlite_in_the_data_dir_with_wal(tmp_path):
    db = config.database(None, tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "extramile.sqlite3")
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert db["OPTIONS"]["timeout"] >= 5


def test_sqlite_connections_are_kept_between_requests(tmp_path):
    # A new connection per request reads every page from the file again (bench/web.py).
    db = config.database(None, tmp_path)
    assert db["CONN_MAX_AGE"] > 0
    assert db["CONN_HEALTH_CHECKS"] is True


def test_postgres_url(tmp_path):
    db = config.database("postgres://app:s%40cret@db.example:6543/extramile", tmp_path)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "app",
        "s@cret",
        "db.example",
        6543,
        "extramile",
    )
    assert db["OPTIONS"]["options"] == "-c jit=off"


def test_postgres_url_options_are_passed_on(tmp_path):
    db = config.database(
        "postgres://db.example/x?sslmode=require&options=-c%20work_mem%3D64MB", tmp_path
    )
    assert db["OPTIONS"] == {"sslmode": "require", "options": "-c work_mem=64MB"}


def test_sqlite_url_with_a_path(tmp_path):
    db = config.database(f"sqlite:///{tmp_path}/other.db", tmp_path)
    assert db["NAME"] == f"{tmp_path}/other.db"


def test_an_unknown_database_scheme_is_an_error(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="mysql"):
        config.database("mysql://root@localhost/x", tmp_path)


def test_email_url():
    mail = config.email(
        "smtp+tls://me%40example.com:pw@mail.example:2525?from=Sales%20<s@example.com>"
    )
    assert mail["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mail["EMAIL_HOST"] == "mail.example"
    assert mail["EMAIL_PORT"] == 2525
    assert mail["EMAIL_HOST_USER"] == "me@example.com"
    assert mail["EMAIL_USE_TLS"] is True
    assert mail["DEFAULT_FROM_EMAIL"] == "Sales <s@example.com>"
    assert config.email("smtps://mail.example")["EMAIL_PORT"] == 465
    assert "console" in config.email(None)["EMAIL_BACKEND"]


def test_an_unknown_email_scheme_is_an_error():
    with pytest.raises(ImproperlyConfigured, match="EXTRAMILE_EMAIL_URL"):
        config.email("pigeon://coop")


def test_system_check_refuses_a_non_utc_time_zone():
    assert utc_storage() == []
    with override_settings(TIME_ZONE="Europe/Paris"):
        errors = utc_storage()
    assert [e.id for e in errors] == ["extramile.E001"]
    assert isinstance(errors[0], Error)


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: run with EXTRAMILE_DATABASE_URL set (make test-postgres)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
