from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from extramile import clock
from extramile.accounts.models import ApiToken, User
from extramile.api import tokens


class Command(BaseCommand):
    help = "API tokens: create (the token is printed once), list, revoke."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a token and print it once")
        create.add_argument("--name", required=True, help="what will use it")
        create.add_argument("--user", help="a user's token (default: a company token)")
        actions.add_parser("list", help="list tokens (never the secrets)")
        revoke = actions.add_parser("revoke", help="revoke a token for good")
        revoke.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        now = clock.now()
        if options["action"] == "create":
            user = None
            if options["user"]:
                user = User.objects.filter(username=options["user"], is_active=True).first()
                if user is None:
                    raise CommandError(f"There is no active user {options['user']!r}.")
            try:
                token, secret = tokens.issue(options["name"], now, user=user)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stderr.write(
                f"Token {token.pk} “{token.name}” created. Copy it now: it is not shown again."
            )
            self.stdout.write(secret)
        elif options["action"] == "list":
            rows = ApiToken.objects.select_related("user")
            if not rows:
                self.stdout.write("No API tokens.")
            for token in rows:
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
                who = token.user.username if token.user else "company"
                self.stdout.write(
                    f"{token.pk:>4}  {token.prefix}…  {token.name:<30}  {who:<12}  "
                    f"created {token.created_at:%Y-%m-%d}  used {used}  {state}"
                )
        else:
            found = ApiToken.objects.filter(pk=options["id"]).first()
            if found is None:
                raise CommandError(f"There is no API token {options['id']}.")
            token = found
            if not tokens.revoke(token, now):
                raise CommandError(f"Token {token.pk} was revoked already.")
            self.stdout.write(f"Revoked token {token.pk} “{token.name}”.")
