from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from extramile import clock
from extramile.accounts.arguments import find_user, parse_date
from extramile.accounts.models import Company, User
from extramile.cards import output, services
from extramile.cards.models import Card
from extramile.cards.planning import plan_cards
from extramile.cards.printing import PrintError

FILES = {"pdf": "cards", "envelopes": "envelopes", "labels": "labels", "csv": "csv"}


def write_whole(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it: never a half-written PDF."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise CommandError(f"Cannot write {path}: {error.strerror}.") from None


class Command(BaseCommand):
    help = (
        "Plan the cards to be mailed between two dates (idempotent), list the batch, and write its "
        "print files: the written cards as one PDF, envelopes, label sheets and a CSV."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first mail-by day")
        parser.add_argument("--to", dest="end", required=True, help="last mail-by day")
        parser.add_argument("--user", help="this user's cards only (a manager: their team's)")
        parser.add_argument("--pdf", help="write the cards PDF here")
        parser.add_argument("--envelopes", help="write the envelopes PDF here")
        parser.add_argument("--labels", help="write the label sheets PDF here")
        parser.add_argument("--csv", help="write the mailing-house CSV here")
        parser.add_argument("--layout", default="page", help="page (default) or folded")
        parser.add_argument("--paper", default="", help="letter or a4 (default by country)")
        parser.add_argument("--envelope", default="", help="no10, c6 or a7 (default by country)")
        parser.add_argument("--sheet", default="", help="avery5160 or l7160 (default by country)")
        parser.add_argument(
            "--thank-you-notes",
            action="store_true",
            help="include the handwritten thank-you notes in the cards PDF (default: envelopes "
            "and labels only)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = parse_date(options["start"]), parse_date(options["end"])
        assert start is not None and end is not None
        if end < start:
            raise CommandError("--to is before --from.", returncode=2)
        now = clock.now()
        owners = User.objects.filter(is_active=True)
        cards = Card.objects.filter(mail_by__gte=start, mail_by__lte=end)
        if options["user"]:
            user = find_user(options["user"])
            owners = owners.filter(pk=user.pk)
            cards = cards.visible_to(user)
        plan = plan_cards(start, end, now, owners)
        company = Company.get()
        batch = output.build(cards, company, include_notes=options["thank_you_notes"])
        summary = services.tally(cards.select_related("customer__household", "household"))
        self.stdout.write(
            f"Cards to mail {start} – {end}: {summary.total} ({plan.created} newly planned); "
            + ", ".join(f"{count} {status}" for status, count in summary.counts.items())
        )
        unaddressed = summary.unaddressed
        if unaddressed:
            names = ", ".join(card.recipient_name for card in unaddressed[:5])
            more = f" and {len(unaddressed) - 5} more" if len(unaddressed) > 5 else ""
            self.stdout.write(f"{len(unaddressed)} need an address: {names}{more}")
        chosen = output.Options(
            layout=options["layout"],
            paper=options["paper"],
            envelope=options["envelope"],
            sheet=options["sheet"],
        )
        wanted = {option: kind for option, kind in FILES.items() if options[option]}
        try:
            printed = output.render_all(list(wanted.values()), batch, company, chosen)
        except PrintError as error:
            raise CommandError(str(error), returncode=1) from None
        for option, result in zip(wanted, printed, strict=True):
            if result.error is not None:
                raise CommandError(str(result.error), returncode=1)
            path = Path(options[option])
            write_whole(path, result.data)
            self.stdout.write(f"Wrote {path} ({result.kind}, {len(result.data):,} bytes)")
            for warning in result.warnings:
                self.stderr.write(f"Warning: {warning}")
