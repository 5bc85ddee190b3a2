"""The demo's card choices: some customers celebrate holidays the company does not send for by
default; a few would rather have no Christmas card."""

from __future__ import annotations

import datetime as dt
import random

from extramile.agenda.habits import demo
from extramile.book.models import Customer
from extramile.cards.models import Occasion, OccasionPreference

OPT_IN_HOLIDAYS = ["hanukkah", "diwali", "lunar_new_year", "eid_al_fitr", "orthodox_easter"]
BATCH = 5000


@demo("card choices", order=0)
def populate(now: dt.datetime, rng: random.Random) -> int:
    """Opt a customer in 37 into a holiday of their own and one in 97 out of Christmas; return how
    many choices were recorded."""
    customers = list(Customer.objects.order_by("pk").only("pk"))
    occasions = {o.code: o for o in Occasion.objects.all()}
    extra = [occasions[c] for c in OPT_IN_HOLIDAYS if c in occasions]
    choices = [
        OccasionPreference(customer=c, occasion=extra[n % len(extra)], wants_card=True)
        for n, c in enumerate(customers[11::37])
        if extra
    ]
    if "christmas" in occasions:
        choices += [
            OccasionPreference(customer=c, occasion=occasions["christmas"], wants_card=False)
            for c in customers[13::97]
        ]
    OccasionPreference.objects.bulk_create(choices, batch_size=BATCH, ignore_conflicts=True)
    return len(choices)
