"""Every command fails in one line: ``extramile: <what went wrong>`` on stderr, a non-zero exit,
no traceback (that is for ``--traceback``), no usage block, no ``CommandError:``.

The walk takes its commands from Django's registry (``get_commands``: ours and Django's own) and
its bad arguments from each command's own parser (an option nobody has, a missing required
argument, a word where a number goes, for every subcommand), so a new command, subcommand or
option is walked without anyone remembering to add it. What only a command's ``handle`` can
refuse (a file it cannot write, an id that does not exist) is in ``REFUSED``, which must name
every one of our commands.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, get_commands, load_command_class
from django.core.management.base import BaseCommand

from extramile.cli import OUR_COMMANDS, run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_database_open(monkeypatch):
    """``cli.execute`` closes the connections at the end, as Django does; in this process that
    would close the test's own database under the next command."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


def one_line_failure(capsys, args: list[str]) -> str:
    """Run ``extramile *args`` in this process; check it failed in one clean line; return it."""
    code = run(["extramile", *args])
    out, err = capsys.readouterr()
    where = " ".join(args)
    assert code != 0, (where, out, err)
    lines = err.splitlines()
    assert len(lines) == 1, (where, err)
    line = lines[0]
    assert line.startswith("extramile: "), (where, line)
    # A sentence about what was wrong: not a database or programming failure on the way.
    assert "database error" not in line and "unexpected" not in line, (where, line)
    assert "Traceback" not in err and "CommandError" not in err and "usage:" not in err, where
    assert all(char.isprintable() for char in line), (where, line)
    return line


def command(name: str) -> BaseCommand:
    app = get_commands()[name]
    return app if isinstance(app, BaseCommand) else load_command_class(app, name)


def _required(parser: argparse.ArgumentParser) -> bool:
    """Whether the command line must say something more than the command's name."""
    for action in parser._actions:
        if action.option_strings:
            if action.required:
                return True
        elif action.dest != "args" and action.nargs not in ("?", "*", argparse.REMAINDER):
            return True
    return False


def bad_arguments(name: str) -> list[list[str]]:
    """Wrong command lines for ``name``, read off its parser (and its subcommands' parsers)."""
    found: list[list[str]] = []

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> None:
        found.append([*prefix, "--no-such-option"])
        if _required(parser):
            found.append(prefix)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub_name, sub in action.choices.items():
                    walk(sub, [*prefix, sub_name])
            elif action.type in (int, float):
                if action.option_strings:
                    found.append([*prefix, action.option_strings[-1], "not-a-number"])
                else:
                    found.append([*prefix, "not-a-number"])

    walk(command(name).create_parser("extramile", name), [name])
    return found


def test_the_walk_covers_every_command_and_ours_exist():
    names = set(get_commands())
    assert set(OUR_COMMANDS) <= names  # the usage text names no command that is gone
    assert len(names) >= 40  # ours and Django's


@pytest.mark.parametrize("name", sorted(get_commands()))
def test_every_command_refuses_bad_arguments_in_one_line(capsys, company, name):
    cases = bad_arguments(name)
    assert cases
    for args in cases:
        line = one_line_failure(capsys, args)
        assert f"extramile {args[0]}" in line or args[0] in line, line


def test_a_subcommand_is_named_in_its_error(capsys, company):
    line = one_line_failure(capsys, ["token", "revoke", "abc"])
    assert line == (
        "extramile: token revoke: argument id: invalid int value: 'abc' "
        "(see 'extramile token revoke --help')"
    )


def test_an_unknown_command_is_one_line_with_a_suggestion(capsys):
    line = one_line_failure(capsys, ["todya"])
    assert "there is no command 'todya'; did you mean 'today'?" in line
    assert "there is no command 'nosuch'" in one_line_failure(capsys, ["help", "nosuch"])


@pytest.fixture
def files(tmp_path):
    # A spreadsheet saved as .xlsx and named .csv: a zip file, a carriage return in its first line.
    binary = tmp_path / "contacts.csv"
    binary.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\r\x00\x08\x00" + bytes(range(256)) * 8)
    bad = tmp_path / "bad.csv"
    bad.write_text("First Name,Last Name,E-mail Address\nZed,Alpha,zed@example.com\nYan,B,nope\n")
    return {"binary": str(binary), "bad": str(bad), "dir": str(tmp_path)}


def refused(owner: str, files: dict[str, str]) -> dict[str, list[list[str]]]:
    """What only a command's ``handle`` can refuse, per command (every one of ours is here)."""
    return {
        "serve": [["serve", "--port", "99999"]],
        "worker": [["worker", "--interval", "0", "--once", "--no-such"]],
        "demo": [["demo", "--customers", "0"]],
        "plan": [["plan", "--date", "2026-02-30"]],
        "today": [["today", "--user", "nobody"]],
        "cards": [["cards", "--from", "2026-12-07", "--to", "someday"]],
        "sale": [["sale", "--customer", "999999", "--description", "Tyres", "--amount", "x"]],
        "digest": [["digest", "--user", "nobody"]],
        "createuser": [["createuser", owner, "--password", "x"]],
        "inbound": [["inbound", "--channel", "fax", "--from", "+12125550100"]],
        "token": [["token", "revoke", "999999"], ["token", "create", "--name", "x", "--user", "?"]],
        "outbox": [["outbox", "retry", "99999"], ["outbox", "cancel", "99999"]],
        "articles": [["articles", "import", files["binary"]], ["articles", "import", "/nope"]],
        "import": [
            ["import", "--owner", owner, files["binary"]],
            [
                "import",
                "--owner",
                owner,
                "--skip-invalid",
                "--rejects",
                "/proc/r.csv",
                files["bad"],
            ],
        ],
        "mailsync": [["mailsync", "--user", owner]],
        "export": [
            ["export", "--user", owner, "--output", "/proc/version"],
            ["export", "--user", owner, "--output", "/proc/self/book.csv"],
            ["export", "--user", owner, "--output", files["dir"]],
        ],
        "erase": [["erase", "999999", "--user", owner, "--yes"]],
        "migrate": [["migrate", "nosuchapp"]],
        "backup": [
            ["backup", "/proc/version"],
            ["backup", files["dir"] + "/no/such/folder.tar.gz"],
        ],
        "restore": [["restore", "/nope.tar.gz"], ["restore", files["binary"]]],
        "unlock": [["unlock"], ["unlock", "--address", "not-an-address"]],
    }


def test_refusals_table_names_every_one_of_our_commands(owner, files):
    assert set(refused(owner.username, files)) == set(OUR_COMMANDS)


@pytest.mark.parametrize("name", sorted(OUR_COMMANDS))
def test_what_a_command_refuses_is_one_line(capsys, owner, customer, files, name):
    for args in refused(owner.username, files)[name]:
        line = one_line_failure(capsys, args)
        assert "\\x00" not in line or "import" not in args  # a binary file is named, not shown


def test_the_cases_from_the_sweep(capsys, owner, customer, files):
    who = owner.username
    assert one_line_failure(capsys, ["export", "--user", who, "--output", "/proc/version"])
    assert "--rejects: cannot write /proc/r.csv" in one_line_failure(
        capsys,
        ["import", "--owner", who, "--skip-invalid", "--rejects", "/proc/r.csv", files["bad"]],
    )
    assert customer.owner.customers.count() == 1  # the good row waited for the rejects file
    line = one_line_failure(capsys, ["import", "--owner", who, files["binary"]])
    assert "does not look like a CSV or vCard file" in line
    assert "is not a text file" in one_line_failure(capsys, ["articles", "import", files["binary"]])
    assert "There is no message 99999 in the outbox" in one_line_failure(
        capsys, ["outbox", "retry", "99999"]
    )


def test_the_mapping_suggestion_goes_to_stdout_and_the_error_to_stderr(capsys, owner, tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("Nom,Prénom\nLee,Ann\n", encoding="utf-8")
    assert run(["extramile", "import", "--owner", owner.username, str(odd)]) == 2
    out, err = capsys.readouterr()
    assert '"columns"' in out and "mapping.json" in out
    assert err.count("\n") == 1 and err.startswith("extramile: The columns of this file")


def test_traceback_shows_the_details(owner):
    with pytest.raises(CommandError, match="There is no user 'nobody'"):
        run(["extramile", "today", "--user", "nobody", "--traceback"])


def test_a_bug_is_one_line_too(monkeypatch, owner, capsys):
    from extramile.agenda.management.commands import today

    def broken(self, *args, **options):
        raise ValueError("the planner fell over\nwith a second line")

    monkeypatch.setattr(today.Command, "handle", broken)
    assert run(["extramile", "today", "--user", owner.username]) == 1
    line = capsys.readouterr().err
    assert line == (
        "extramile: unexpected ValueError: the planner fell over with a second line "
        "(run again with --traceback for more)\n"
    )


def test_the_console_script_fails_in_one_line(tmp_path):
    """The real script, in its own process: the same one line."""
    environment = {**os.environ, "EXTRAMILE_DATA_DIR": str(tmp_path)}
    environment.pop("EXTRAMILE_DATABASE_URL", None)
    result = subprocess.run(
        [str(Path(sys.executable).parent / "extramile"), "token", "revoke", "abc"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == (
        "extramile: token revoke: argument id: invalid int value: 'abc' "
        "(see 'extramile token revoke --help')\n"
    )


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        (
            "EXTRAMILE_LOCKOUT_FAILURES",
            "ten",
            "EXTRAMILE_LOCKOUT_FAILURES='ten' is not a whole number.",
        ),
        (
            "EXTRAMILE_PLAN_AT_MINUTE",
            "-3",
            "EXTRAMILE_PLAN_AT_MINUTE='-3': use a number at least 0.",
        ),
        (
            "EXTRAMILE_EMAIL_URL",
            "smtp://mail.example?timeout=soon",
            "EXTRAMILE_EMAIL_URL timeout='soon' is not a whole number.",
        ),
    ],
)
def test_a_bad_setting_is_one_clear_line(tmp_path, variable, value, line):
    """A bad number in the environment stops the script with one sentence, not a traceback."""
    environment = {**os.environ, "EXTRAMILE_DATA_DIR": str(tmp_path), variable: value}
    environment.pop("EXTRAMILE_DATABASE_URL", None)
    result = subprocess.run(
        [str(Path(sys.executable).parent / "extramile"), "check"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr == f"extramile: configuration error: {line}\n"
