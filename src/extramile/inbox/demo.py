"""Demo inbound messages: a few per rep over the last fortnight, some answered in time, some late,
some still owed, a few from strangers. Deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random

from extramile.accounts.models import User
from extramile.agenda.habits import demo
from extramile.book.models import PhoneNumber
from extramile.inbox.bulk import InboundRow, log_many
from extramile.inbox.models import Channel, InboundMessage, Source
from extramile.inbox.services import mark_replied

SUMMARIES = [
    "Asked for a call back about the quote",
    "Question about the last invoice",
    "Wants to move the appointment",
    "Heard a noise since the service",
    "Asked whether the offer still stands",
]


@demo("inbound messages", order=3)
def populate(now: dt.datetime, rng: random.Random) -> int:
    return create_demo_messages(now, rng)


def create_demo_messages(now: dt.datetime, seed: int | random.Random = 42, per_rep: int = 6) -> int:
    """Returns how many messages were created."""
    rnd = seed if isinstance(seed, random.Random) else random.Random(seed)
    reps = list(User.objects.filter(is_active=True, customers__isnull=False).distinct())
    phones = list(PhoneNumber.objects.values_list("number", "customer__owner_id")[:5000])
    rows = []
    for rep in reps:
        own = [number for number, owner in phones if owner == rep.pk] or ["+12125550199"]
        for _ in range(per_rep):
            received = now - dt.timedelta(minutes=rnd.randrange(20, 14 * 24 * 60))
            channel = rnd.choice([Channel.CALL, Channel.VOICEMAIL, Channel.TEXT])
            sender = (
                rnd.choice(own) if rnd.random() < 0.8 else f"+1212555{rnd.randrange(10000):04d}"
            )
            rows.append(InboundRow(channel, sender, received, rnd.choice(SUMMARIES), rep.pk))
    made = log_many(rows, now, source=Source.WEB)
    for message in InboundMessage.objects.filter(pk__in=[m.pk for m in made]).select_related(
        "customer", "owner"
    ):
        if message.owner is not None and rnd.random() < 0.7:
            late = rnd.random() < 0.2
            minutes = rnd.randrange(61, 240) if late else rnd.randrange(3, 55)
            replied = message.received_at + dt.timedelta(minutes=minutes)
            if message.reply_due_at > now or replied > now:
                continue
            mark_replied(message, message.owner, max(replied, message.received_at))
    return len(made)
