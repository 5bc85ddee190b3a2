"""The ``extramile`` console script.

Our commands (serve, worker, demo, plan, today, cards, createuser) are Django management commands, so
every other management command (migrate, shell, dbshell, …) works too: ``extramile migrate``.

Every command fails the same way, in one place (``run``): whatever goes wrong — a wrong argument,
a file that cannot be written, a database that is not set up, a bug — is one line on stderr,
``extramile: <what went wrong>``, and a non-zero exit code; ``--traceback`` shows the full story.
Commands raise ``CommandError`` with their sentence and print nothing of their own on failure.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import os
import sys
from typing import Any

OUR_COMMANDS = {
    "serve": "serve the web app (gunicorn + whitenoise); --with-worker starts a worker too",
    "worker": "run scheduled jobs and the task queue (the nightly plan)",
    "demo": "create a deterministic demo company (reps, customers, families, sales, …)",
    "plan": "plan a day's extra-mile actions for every user (idempotent)",
    "today": "print a user's agenda (--json for machines)",
    "cards": "plan a mail-by range of cards and write its PDFs, labels and CSV",
    "sale": "record a sale (creates the customer's thank-you note)",
    "digest": "print the daily digest, or --send it through the outbox",
    "createuser": "create a user with a role (rep, manager, admin)",
    "inbound": "log an inbound message owed a reply (prints its customer and deadline)",
    "token": "API tokens: create (shown once), list, revoke",
    "unlock": "lift a lockout after too many failures: USERNAME, or --address IP; --list shows them",
    "outbox": "send queued e-mail (send [--limit N] [--wait]), status, retry, cancel",
    "articles": "article mailings: import FILE (CSV/RSS/Atom), list [--date] [--user], send [--date]",
    "import": "import customers from CSV or vCard (--dry-run, --skip-invalid, --mapping FILE)",
    "mailsync": "poll connected IMAP mailboxes once [--user USERNAME] and print what was found",
    "export": "export the book as CSV, vCard 4.0 or JSON (--format, --user, --output, --customer ID)",
    "erase": "erase a customer and their personal records, with an audit record (CUSTOMER_ID --user U)",
    "backup": "back up the database and its keys to one file, safely while the app runs [FILE]",
    "restore": "restore a backup (FILE; --force over a database that holds data) and verify it",
    "migrate": "create or upgrade the database",
}

# What Django itself answers (the list of every command, its version): no command runs.
DJANGO_ANSWERS = {"help", "version", "--version"}


def usage() -> str:
    width = max(len(name) for name in OUR_COMMANDS)
    lines = ["Usage: extramile COMMAND [OPTIONS]", "", "Commands:"]
    lines += [f"  {name.ljust(width)}  {text}" for name, text in OUR_COMMANDS.items()]
    lines += [
        "",
        "Every Django management command works too (extramile help lists them all).",
        "Run 'extramile COMMAND --help' for a command's options.",
    ]
    return "\n".join(lines)


def one_line(message: str) -> str:
    """``message`` as one line a terminal shows as it is: line breaks and runs of spaces become
    one space, and characters that are not printable (a NUL from a binary file) are written as
    escapes (``\\x00``) instead of being sent to the terminal."""
    text = " ".join(message.split())
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )


def fail(message: str, code: int = 1) -> int:
    sys.stderr.write(f"extramile: {one_line(message) or 'error'}\n")
    return code if code else 1


def describe(error: BaseException) -> tuple[str, int]:
    """What to tell the person, in a sentence, and the exit code, for any exception."""
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import CommandError
    from django.db import DatabaseError

    if isinstance(error, CommandError):
        return str(error), error.returncode
    if isinstance(error, ImproperlyConfigured):
        return f"configuration error: {error}", 2
    if isinstance(error, DatabaseError):
        text = str(error)
        if "no such table" in text or "does not exist" in text:
            return f"the database is not set up ({text}): run 'extramile migrate' first", 1
        return f"database error: {text}", 1
    if isinstance(error, OSError) and error.strerror:
        where = f"{error.filename}: " if error.filename is not None else ""
        return f"{where}{error.strerror.lower()}", 1
    if isinstance(error, UnicodeDecodeError):
        return f"the file is not text we can read ({error.reason} at byte {error.start})", 1
    if isinstance(error, csv.Error):
        return f"the file is not a CSV file we can read ({error})", 1
    detail = str(error) or "no detail"
    return f"unexpected {type(error).__name__}: {detail} (run again with --traceback for more)", 1


def _no_such_command(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return (
        f"there is no command '{name}'{hint} ('extramile --help' lists ours, 'extramile help' all)"
    )


def _subcommand(parser: argparse.ArgumentParser, args: list[str]) -> list[str]:
    """The subcommand named in ``args`` (``revoke`` in ``token revoke abc``), if any."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return [arg for arg in args if arg in action.choices][:1]
    return []


def execute(argv: list[str]) -> None:
    """Run ``argv`` as Django runs a command line, but let every failure rise to ``run``: an
    argument argparse refuses is a ``CommandError`` (not the usage block and a second line), and
    a command's ``CommandError`` is not printed here as ``CommandError: …``."""
    import django
    from django.core.management import (
        BaseCommand,
        CommandError,
        ManagementUtility,
        get_commands,
        load_command_class,
    )
    from django.core.management.base import CommandParser, handle_default_options
    from django.db import connections

    name = argv[1]
    if name in DJANGO_ANSWERS and len(argv) == 2:
        ManagementUtility(argv).execute()
        return
    if name == "help":  # `extramile help today` is `extramile today --help`
        name, argv = argv[2], [argv[0], argv[2], "--help"]
    # --settings and --pythonpath, read before the apps load (as Django does).
    early = CommandParser(prog="extramile", add_help=False, allow_abbrev=False)
    early.add_argument("--settings")
    early.add_argument("--pythonpath")
    known, _ = early.parse_known_args(argv[2:])
    handle_default_options(known)
    django.setup()
    commands = get_commands()
    if name not in commands:
        raise CommandError(_no_such_command(name, sorted(commands)), returncode=2)
    app = commands[name]
    command: BaseCommand = app if isinstance(app, BaseCommand) else load_command_class(app, name)
    # Not "called from the command line": argparse's complaints are raised, not printed.
    command._called_from_command_line = False  # type: ignore[attr-defined]
    parser = command.create_parser(argv[0], name)
    try:
        options = parser.parse_args(argv[2:])
    except CommandError as refused:
        reason = str(refused).removeprefix("Error: ")
        where = " ".join([name, *_subcommand(parser, argv[2:])])
        raise CommandError(
            f"{where}: {reason} (see 'extramile {where} --help')", returncode=2
        ) from None
    cmd_options: dict[str, Any] = vars(options)
    args = cmd_options.pop("args", ())
    handle_default_options(options)
    try:
        command.execute(*args, **cmd_options)
    finally:
        connections.close_all()


def run(argv: list[str]) -> int:
    """The whole console script, with its one handler for whatever goes wrong."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "extramile.settings")
    if len(argv) < 2 or argv[1] in {"-h", "--help"}:
        print(usage())
        return 0
    show_traceback = "--traceback" in argv
    try:
        execute(argv)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except BrokenPipeError:
        # The reader went away (`extramile today | head`): stop quietly, like other tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except SystemExit as exc:  # --help, --version, or a command that exits with a code
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        return fail(str(exc.code))
    except Exception as exc:
        if show_traceback:
            raise
        message, code = describe(exc)
        return fail(message, code)
    return 0


def main() -> None:
    sys.exit(run(sys.argv))


if __name__ == "__main__":
    main()
