"""The archive, the keys and the refusals: one sentence for every way a backup or restore
cannot go on, and the keys put back (or asked for) so old links and mailbox passwords work."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from extramile.backups import archive
from extramile.backups.archive import Keys, Manifest
from extramile.backups.services import RestoreResult, restore_keys
from extramile.mailsync import crypto
from extramile.mailsync.models import MailboxConnection
from extramile.outbox.tokens import customer_id, make_token
from tests.conftest import NOW

OLD, NEW = "o" * 50, "n" * 50


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    message = str(error.value)
    assert "\n" not in message
    return message


def tar_with(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.django_db
def test_what_is_not_a_backup_is_refused_in_one_sentence(tmp_path):
    assert "does not exist" in refused("restore", str(tmp_path / "missing.tar.gz"))
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert "not an ExtraMile backup" in refused("restore", str(text))
    assert "is a folder" in refused("restore", str(tmp_path))
    other = tar_with(tmp_path / "other.tar.gz", {"readme.txt": b"hi"})
    assert "no extramile-backup.json" in refused("restore", str(other))
    newer = tar_with(tmp_path / "newer.tar.gz", {archive.MANIFEST: b'{"format": 99}'})
    assert "newer ExtraMile" in refused("restore", str(newer))
    garbled = tar_with(tmp_path / "garbled.tar.gz", {archive.MANIFEST: b"{not json"})
    assert "not JSON" in refused("restore", str(garbled))


@pytest.mark.django_db
def test_a_backup_of_the_other_engine_is_refused(tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    database = tmp_path / "db"
    database.write_bytes(b"x")
    path = tmp_path / "other.tar.gz"
    archive.write(path, Manifest(other, NOW.isoformat(), "0", {}), Keys(OLD), database)
    message = refused("restore", str(path))
    assert f"a backup of a {archive.ENGINE_NAMES[other]} database" in message


@pytest.mark.django_db
def test_backup_refuses_to_overwrite_a_file_or_write_into_a_missing_folder(tmp_path):
    existing = tmp_path / "kept.tar.gz"
    existing.write_bytes(b"an earlier backup")
    assert "exists already" in refused("backup", str(existing))
    assert existing.read_bytes() == b"an earlier backup"
    assert "does not exist" in refused("backup", str(tmp_path / "nowhere" / "b.tar.gz"))


def result() -> RestoreResult:
    return RestoreResult(Manifest("sqlite", NOW.isoformat(), "0", {}), "db", [])


@pytest.mark.django_db
def test_the_secret_key_file_is_replaced_by_the_backup_s(tmp_path, settings, monkeypatch):
    monkeypatch.delenv("EXTRAMILE_SECRET_KEY", raising=False)
    settings.DATA_DIR, settings.SECRET_KEY = tmp_path, NEW
    (tmp_path / "secret_key").write_text(NEW + "\n")
    done = result()
    restore_keys(Keys(OLD), done, NOW)
    assert (tmp_path / "secret_key").read_text().strip() == OLD
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    kept = tmp_path / f"secret_key.replaced-{NOW:%Y-%m-%dT%H%M%SZ}"
    assert kept.read_text().strip() == NEW
    assert not done.warnings and "written to" in done.notes[0]


@pytest.mark.django_db
def test_a_secret_key_from_the_environment_is_asked_for_and_a_fallback_is_enough(
    tmp_path, settings, monkeypatch
):
    with override_settings(SECRET_KEY=OLD):
        token = make_token(7)  # in an e-mail sent before the backup
    monkeypatch.setenv("EXTRAMILE_SECRET_KEY", NEW)
    settings.DATA_DIR, settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = tmp_path, NEW, []
    done = result()
    restore_keys(Keys(OLD), done, NOW)
    assert customer_id(token) is None
    [warning] = done.warnings
    assert "EXTRAMILE_SECRET_KEY" in warning and "secret_key.from-backup" in warning
    assert (tmp_path / "secret_key.from-backup").read_text().strip() == OLD
    # What the warning asks: the backup's key as a fallback. Old links work again.
    settings.SECRET_KEY_FALLBACKS = [OLD]
    assert customer_id(token) == 7
    again = result()
    restore_keys(Keys(OLD), again, NOW)
    assert not again.warnings and "FALLBACKS" in again.notes[0]


@pytest.mark.django_db
def test_mailbox_keys_are_asked_for_and_the_stored_passwords_checked(tmp_path, settings, owner):
    key = Fernet.generate_key().decode()
    settings.DATA_DIR, settings.EXTRAMILE_MAILBOX_KEYS = tmp_path, [key]
    MailboxConnection.objects.create(
        user=owner,
        host="imap.example.com",
        port=993,
        username="olivia",
        password_encrypted=crypto.encrypt("hunter2-but-longer"),
        sent_folder="Sent",
        since=NOW,
        connected_at=NOW,
        updated_at=NOW,
    )
    keys = Keys(settings.SECRET_KEY, mailbox_keys=[key])
    settings.EXTRAMILE_MAILBOX_KEYS = []  # this installation has not set them
    done = result()
    restore_keys(keys, done, NOW)
    assert any("EXTRAMILE_MAILBOX_KEY" in warning for warning in done.warnings)
    assert any("1 of 1 stored mailbox passwords" in warning for warning in done.warnings)
    assert (tmp_path / "mailbox_key.from-backup").read_text().strip() == key
    settings.EXTRAMILE_MAILBOX_KEYS = [key]
    fine = result()
    restore_keys(keys, fine, NOW)
    assert not fine.warnings and "all 1 can be read" in fine.notes[-1]


def test_mailbox_passwords_under_a_derived_key_survive_a_secret_key_change(settings):
    settings.EXTRAMILE_MAILBOX_KEYS, settings.SECRET_KEY = [], OLD
    token = crypto.encrypt("hunter2-but-longer")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, []
    with pytest.raises(crypto.CannotDecrypt):
        crypto.decrypt(token)
    settings.SECRET_KEY_FALLBACKS = [OLD]
    assert crypto.decrypt(token) == "hunter2-but-longer"


def test_secret_key_fallbacks_come_from_the_environment(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from extramile import config

    monkeypatch.setenv("EXTRAMILE_SECRET_KEY_FALLBACKS", f"{OLD}, {NEW}")
    assert config.secret_key_fallbacks() == [OLD, NEW]
    monkeypatch.setenv("EXTRAMILE_SECRET_KEY_FALLBACKS", "short")
    with pytest.raises(ImproperlyConfigured, match="FALLBACKS"):
        config.secret_key_fallbacks()
