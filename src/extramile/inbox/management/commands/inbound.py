from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from extramile import business_hours, clock
from extramile.accounts.models import Company, User
from extramile.inbox.models import Channel, Source
from extramile.inbox.services import receipt, receive


def parse_moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"{text!r} is not a time: use ISO 8601 with its zone, e.g. 2026-11-23T09:30-05:00.",
            returncode=2,
        ) from None
    if moment.tzinfo is None:
        raise CommandError(
            f"{text!r} has no time zone: add one, e.g. {text.strip()}-05:00 or {text.strip()}Z.",
            returncode=2,
        )
    return moment


class Command(BaseCommand):
    help = "Log an inbound message (call, voicemail, e-mail, text, web form) owed a reply."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--channel", required=True, help=", ".join(Channel.values))
        parser.add_argument("--from", dest="sender", required=True, help="phone number or e-mail")
        parser.add_argument("--at", help="when received, ISO 8601 with zone (default: now)")
        parser.add_argument("--summary", default="", help="what it is about")
        parser.add_argument(
            "--user",
            help="who took it (owns it when no customer matches); the answer shows only what "
            "this user may see",
        )
        parser.add_argument("--name", default="", help="the sender's name, if known")
        parser.add_argument("--external-id", default="", help="an id that makes it idempotent")

    def handle(self, *args: Any, **options: Any) -> None:
        now = clock.now()
        if options["channel"] not in Channel.values:
            raise CommandError(
                f"{options['channel']!r} is not a channel: use {', '.join(Channel.values)}.",
                returncode=2,
            )
        received_at = parse_moment(options["at"]) if options["at"] else now
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"There is no active user {options['user']!r}.", returncode=2)
        try:
            result = receive(
                channel=options["channel"],
                from_address=options["sender"],
                received_at=received_at,
                summary=options["summary"],
                now=now,
                owner=user,
                from_name=options["name"],
                source=Source.CLI,
                external_id=options["external_id"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        answer = receipt(result, user)
        message = answer.message
        again = "" if result.created else " (logged before)"
        if message is None:
            # --user may not see it: the same line for every other book (see inbox.services.receipt).
            self.stdout.write(f"message: passed on{again}")
            self.stdout.write(answer.note)
            return
        owner = message.owner
        zone = business_hours.for_user(owner, Company.get()).zone
        due = message.reply_due_at.astimezone(zone)
        customer = message.customer
        self.stdout.write(f"message: {message.pk}{again}")
        self.stdout.write(
            f"customer: {customer.pk} {customer.full_name}"
            if customer is not None
            else f"customer: unmatched{' — ' + answer.note if answer.note else ''}"
        )
        self.stdout.write(f"owner: {owner.username if owner else 'unassigned'}")
        self.stdout.write(f"reply due: {due:%a %Y-%m-%d %H:%M %Z} ({zone.key})")
