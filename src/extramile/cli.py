"""The ``extramile`` console script.

Our commands (serve, worker, demo, plan, today, cards, createuser) are Django management commands, so
every other management command (migrate, shell, dbshell, …) works too: ``extramile migrate``.
Errors are one line on stderr with a non-zero exit code; ``--traceback`` shows the full story.
"""

from __future__ import annotations

import os
import sys

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


def fail(message: str, code: int = 1) -> int:
    sys.stderr.write(
        f"extramile: {message.strip().splitlines()[0] if message.strip() else 'error'}\n"
    )
    return code


def run(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "extramile.settings")
    if len(argv) < 2 or argv[1] in {"-h", "--help"}:
        print(usage())
        return 0
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import CommandError, execute_from_command_line
    from django.db import DatabaseError

    show_traceback = "--traceback" in argv
    try:
        execute_from_command_line(["extramile", *argv[1:]])
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except BrokenPipeError:
        # The reader went away (`extramile today | head`): stop quietly, like other tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except ImproperlyConfigured as exc:
        if show_traceback:
            raise
        return fail(f"configuration error: {exc}")
    except CommandError as exc:
        if show_traceback:
            raise
        return fail(str(exc), exc.returncode)
    except DatabaseError as exc:
        if show_traceback:
            raise
        text = str(exc)
        if "no such table" in text or "does not exist" in text:
            return fail(f"the database is not set up ({text}): run 'extramile migrate' first")
        return fail(f"database error: {text}")
    except SystemExit as exc:
        return (
            exc.code
            if isinstance(exc.code, int)
            else (0 if exc.code is None else fail(str(exc.code)))
        )
    return 0


def main() -> None:
    sys.exit(run(sys.argv))


if __name__ == "__main__":
    main()
