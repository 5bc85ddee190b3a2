"""``extramile backup`` and ``extramile restore``, as an operator runs them: real processes on a
real database while another process writes, on SQLite always and on PostgreSQL when
EXTRAMILE_TEST_DATABASE_URL is set (in databases of this test's own)."""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from extramile.backups.archive import open_archive
from tests.backups.helpers import ENGINES, ROOT, environment, extramile, script, wait_until

WRITTEN = "SELECT count(*) FROM book_customer WHERE last_name = 'Writer'"
WRITTEN_EMAILS = "SELECT count(*) FROM book_emailaddress WHERE address LIKE 'writer-%'"
UNSUBSCRIBES = "SELECT count(*) FROM outbox_unsubscribe"


@pytest.mark.parametrize("databases", ENGINES, indirect=True)
def test_a_backup_taken_while_the_app_writes_restores_to_its_moment_with_its_keys(
    databases, tmp_path
):
    source, target = databases
    here = environment(tmp_path / "a", source)
    assert extramile(here, "migrate", "--no-input", "-v0").returncode == 0
    # A freshly migrated database counts as empty: the rows migrate itself puts there do not
    # stop a restore (tables.FILLED_BY_MIGRATE is complete).
    assert script(here, "empty") == "{}"
    una, token = script(here, "setup", "2000").split()

    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.backups.scripts", "write"],
        env=here,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until(lambda: source.count(WRITTEN) >= 20, "the writer writing")
        before = source.count(WRITTEN)
        archive = tmp_path / "extramile.tar.gz"
        made = extramile(here, "backup", str(archive))
        assert made.returncode == 0, made.stderr
        after = source.count(WRITTEN)
        wait_until(lambda: source.count(WRITTEN) >= after + 20, "the writer going on")
        assert writer.poll() is None, "the writer failed while the backup ran"
    finally:
        writer.terminate()
        _, errors = writer.communicate(timeout=60)
    assert b"Traceback" not in errors, errors.decode()
    final = source.count(WRITTEN)
    assert "Backed up" in made.stdout and str(archive) in made.stdout
    assert archive.stat().st_mode & 0o777 == 0o600  # it holds the keys

    # Another installation (its own data folder, so its own secret key) restores it.
    there = environment(tmp_path / "b", target)
    restored = extramile(there, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "Verified: all" in restored.stdout

    # Every table has the counts of one moment, taken while the writer wrote: the backup's
    # counts, counted again here, and whole transactions only (a customer, their address).
    manifest = open_archive(archive).manifest
    assert target.counts() == manifest.counts
    assert manifest.counts["book_customer"] >= 2001
    moment = target.count(WRITTEN)
    assert target.count(WRITTEN_EMAILS) == moment
    assert before <= moment <= after < final
    assert f"{'book_customer':<44} {manifest.counts['book_customer']:>12,}" in restored.stdout

    # The secret key came along: the link in an e-mail sent before the backup still works.
    key = (tmp_path / "a" / "secret_key").read_text()
    assert (tmp_path / "b" / "secret_key").read_text() == key
    assert list((tmp_path / "b").glob("secret_key.replaced-*"))  # b's own key, kept aside
    assert script(there, "link", token) == "200 200 True"
    assert target.count(UNSUBSCRIBES) == 1

    # Over a database that holds data: refused, in one line, and nothing changed.
    refused = extramile(there, "restore", str(archive))
    assert refused.returncode != 0
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    assert target.count(UNSUBSCRIBES) == 1
    forced = extramile(there, "restore", "--force", str(archive))
    assert forced.returncode == 0, forced.stderr
    assert target.count(UNSUBSCRIBES) == 0 and target.counts() == manifest.counts
    assert una


def damaged(path: Path, into: Path) -> Path:
    """The backup at ``path`` with its database cut off half-way, as a bad disk or a copy
    stopped early leaves it."""
    with tarfile.open(path, "r:*") as tar, tarfile.open(into, "w:gz") as out:
        for member in tar.getmembers():
            handle = tar.extractfile(member)
            assert handle is not None
            data = handle.read()
            if member.name.startswith("database."):
                data = data[: len(data) // 2]
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return into


@pytest.mark.parametrize("databases", ENGINES, indirect=True)
def test_a_damaged_backup_changes_nothing(databases, tmp_path):
    source, target = databases
    padding = "x" * 40
    rows = ",".join(f"({n}, 'row {n} {padding}')" for n in range(20_000))
    source.execute("CREATE TABLE parcel (id integer PRIMARY KEY, label text)")
    source.execute(f"INSERT INTO parcel VALUES {rows}")  # noqa: S608 — our own numbers
    here, there = environment(tmp_path / "a", source), environment(tmp_path / "b", target)
    archive = tmp_path / "parcels.tar.gz"
    assert extramile(here, "backup", str(archive)).returncode == 0
    assert extramile(there, "restore", str(archive)).returncode == 0
    target.execute("DELETE FROM parcel WHERE id >= 19000")  # the restored copy lives on
    before = target.counts()
    assert before == {"parcel": 19_000}
    broken = extramile(there, "restore", "--force", str(damaged(archive, tmp_path / "d.tar.gz")))
    assert broken.returncode != 0
    assert len(broken.stderr.strip().splitlines()) == 1, broken.stderr
    assert "nothing was changed" in broken.stderr, broken.stderr
    assert target.counts() == before
