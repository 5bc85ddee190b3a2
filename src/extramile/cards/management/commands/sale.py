"""`extramile sale`: record a sale; the customer's thank-you note is created with it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from extramile import clock
from extramile.accounts.arguments import find_user
from extramile.book import services
from extramile.book.forms import SaleForm
from extramile.book.models import Customer
from extramile.cards import thanks


class Command(BaseCommand):
    help = (
        "Record a sale and create the customer's handwritten thank-you note (due within two "
        "working days); prints the sale and the note's due date, or why there is none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customer", required=True, help="the customer's id")
        parser.add_argument("--description", required=True, help="what was bought")
        parser.add_argument("--amount", required=True, help="the amount, e.g. 1249.00")
        parser.add_argument("--date", help="the sale's day, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--user",
            help="who made the sale (default: the customer's owner); must see the customer",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = clock.now()
        customer = self.customer(options["customer"], options["user"])
        seller = find_user(options["user"]) if options["user"] else customer.owner
        today = seller.local_date(now)
        form = SaleForm(
            {
                "date": options["date"] or today.isoformat(),
                "description": options["description"],
                "amount": options["amount"],
            },
            today=today,
        )
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise CommandError(f"--{field}: {errors[0]}", returncode=2)
        data = form.cleaned_data
        try:
            sale = services.record_sale(
                customer, data["date"], data["description"], data["amount"], seller, now=now
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=1) from None
        self.stdout.write(
            f"Recorded sale {sale.pk}: {customer.full_name} (customer {customer.pk}), "
            f"{sale.description}, {sale.amount:,.2f} on {sale.date.isoformat()}."
        )
        self.stdout.write(thanks.explain(sale, thanks.note_of(sale), now))

    def customer(self, text: str, username: str | None) -> Customer:
        if not text.strip().isdigit():
            raise CommandError(
                f"--customer: {text!r} is not a customer id (a number).", returncode=2
            )
        book = (
            Customer.objects.visible_to(find_user(username)) if username else Customer.objects.all()
        ).select_related("owner", "household")
        customer = book.filter(pk=int(text)).first()
        if customer is None:
            whose = f" that {username} can see" if username else ""
            raise CommandError(f"There is no customer {int(text)}{whose}.", returncode=2)
        return customer
