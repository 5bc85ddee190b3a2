from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from extramile import clock
from extramile.accounts import throttle


class Command(BaseCommand):
    help = (
        "Lift a lockout after too many failures: a user name's sign-in (USERNAME), or an "
        "address's sign-in, API tokens and calendar links (--address IP); --list shows them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", help="the user name to unlock")
        parser.add_argument("--address", help="a client IP address to unlock")
        parser.add_argument("--list", action="store_true", help="list the lockouts in force")

    def handle(self, *args: Any, **options: Any) -> None:
        username, address = options["username"], options["address"]
        if options["list"]:
            if username or address:
                raise CommandError("Give either --list or what to unlock, not both.")
            self.list_lockouts()
            return
        if not username and not address:
            raise CommandError("Say what to unlock: a user name, or --address IP (--list shows).")
        if address and not throttle.is_address(address.strip()):
            raise CommandError(f"{address!r} is not an IP address.")
        if username:
            name = throttle.normal_username(username)
            count = throttle.unlock_username(username)
            self.stdout.write(
                f"Sign-in as {name!r} is unlocked: its failures are forgotten."
                if count
                else f"Sign-in as {name!r} has no failures on record: nothing to unlock."
            )
        if address:
            count = throttle.unlock_address(address)
            self.stdout.write(
                f"The address {address.strip()} is unlocked: its failures are forgotten."
                if count
                else f"The address {address.strip()} has no failures on record: nothing to unlock."
            )

    def list_lockouts(self) -> None:
        now = clock.now()
        found = throttle.lockouts(now)
        if not found:
            self.stdout.write("Nothing is locked out.")
        for lockout in found:
            self.stdout.write(
                f"{lockout.label:<15}  {lockout.kind:<9}  {lockout.who:<30}  "
                f"{lockout.failures:>4} failures  until {lockout.until:%Y-%m-%d %H:%M} UTC "
                f"(in {throttle.minutes_left(lockout.until, now)} min)"
            )
