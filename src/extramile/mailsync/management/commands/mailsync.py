"""``extramile mailsync [--user USERNAME]``: poll connected mailboxes once and say what was found.
``--rotate-key`` re-encrypts the stored passwords with the first EXTRAMILE_MAILBOX_KEY."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from extramile import clock
from extramile.accounts.models import User
from extramile.mailsync.connections import rotate_keys
from extramile.mailsync.models import MailboxConnection
from extramile.mailsync.poll import poll


class Command(BaseCommand):
    help = "Poll connected IMAP mailboxes once (INBOX and Sent) and print what was found."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="only this user's mailbox (polled even when paused)")
        parser.add_argument(
            "--rotate-key",
            action="store_true",
            help="re-encrypt every stored password with the first EXTRAMILE_MAILBOX_KEY",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rotate_key"]:
            rotated, unreadable = rotate_keys()
            self.stdout.write(f"{rotated} password(s) re-encrypted with the first key.")
            if unreadable:
                raise CommandError(
                    f"{unreadable} password(s) could not be decrypted with any configured key: "
                    "their users must enter them again."
                )
            return
        connections = MailboxConnection.objects.select_related("user").order_by("user__username")
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"There is no user {options['user']!r}.", returncode=2)
            connections = connections.filter(user=user)
            if not connections.exists():
                raise CommandError(f"{user.username} has not connected a mailbox.", returncode=2)
        else:
            paused = connections.filter(paused=True)
            for connection in paused:
                self.stdout.write(
                    f"{connection.user.username}: paused, {connection.last_error} "
                    f"(poll it with --user {connection.user.username} once fixed)"
                )
            connections = connections.filter(paused=False, user__is_active=True)
        failed = 0
        found = False
        for connection in connections:
            found = True
            result = poll(connection, clock.now())
            self.stdout.write(result.describe())
            failed += 0 if result.ok else 1
        if not found and not options["user"]:
            self.stdout.write("No mailbox is connected.")
        if failed:
            raise CommandError(f"{failed} mailbox(es) could not be polled.")
