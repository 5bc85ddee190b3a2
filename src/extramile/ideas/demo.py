"""Demo ideas for the idea bank: ``populate(now, rng) -> int``.

About twenty small gestures written for this product, each by one of the demo's users, upvoted
by a few colleagues, and a few already used. Deterministic for a given ``rng``.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from extramile.accounts.models import User
from extramile.agenda.habits import demo
from extramile.ideas.models import Idea, IdeaUse, IdeaVote
from extramile.ideas.services import text_key

IDEAS: list[tuple[str, str]] = [
    ("Drop off a bag of fresh bagels at their office on a Monday morning.", "loyal, thank you"),
    ("Send a baby book with the car's first trip written on the first page.", "life event, family"),
    ("Phone on their customer anniversary just to say thanks, no offer.", "anniversary, loyal"),
    ("Mail a map of the town they just moved to, with your favourite café circled.", "life event"),
    ("Leave a handwritten note on the dashboard after a service visit.", "thank you"),
    ("Record a short video of the team singing happy birthday.", "birthday, team"),
    ("Offer a free car wash the week before their wedding anniversary.", "anniversary"),
    (
        "Send a congratulations card when you read their company news.",
        "life event, congratulations",
    ),
    ("Bring a coffee to a co-worker who stayed late last week.", "team, co-worker"),
    ("Cover a co-worker's follow-up calls on a busy Friday.", "team, co-worker"),
    ("Print a photo of their first car with us and frame it.", "anniversary, loyal"),
    ("Send a puzzle book for the long hospital stay.", "life event, family"),
    ("Lend a roof box for the family holiday, free.", "family, loyal"),
    ("Share a local restaurant tip when they mention a celebration.", "congratulations"),
    ("Fill their tank before handing the car back.", "thank you, loyal"),
    ("Write a thank-you note to a co-worker's manager about their help.", "team, co-worker"),
    ("Send seeds for the garden of their new house.", "life event"),
    ("Remember their pet's name and ask after it on the next call.", "loyal"),
    ("Ask their child for a drawing for the showroom wall.", "family"),
    ("Send a graduation card to their son or daughter.", "life event, congratulations, family"),
    ("Bring cake for the service team when a customer praises them.", "team, thank you"),
]


@demo("ideas", order=6)
def populate(now: dt.datetime, rng: random.Random) -> int:
    """Create the demo ideas (authored by demo users), votes and a few uses; return how many ideas."""
    users = list(User.objects.filter(is_active=True).order_by("pk"))
    if not users:
        return 0
    ideas: list[Idea] = []
    for n, (text, tags) in enumerate(IDEAS):
        created = now - dt.timedelta(days=rng.randint(1, 120), minutes=n)
        ideas.append(
            Idea(
                text=text,
                text_key=text_key(text),
                tags=tags,
                author=rng.choice(users),
                created_at=created,
            )
        )
    with transaction.atomic():
        Idea.objects.bulk_create(ideas, ignore_conflicts=True)
        saved = list(Idea.objects.filter(text_key__in=[i.text_key for i in ideas]))
        votes, uses = [], []
        for idea in saved:
            others = [u for u in users if u.pk != idea.author_id]
            for voter in rng.sample(others, k=min(len(others), rng.randint(0, 5))):
                votes.append(IdeaVote(idea=idea, user=voter, created_at=idea.created_at))
            if rng.random() < 0.3:
                uses.append(
                    IdeaUse(
                        idea=idea,
                        user=rng.choice(users),
                        at=now - dt.timedelta(days=rng.randint(0, 30)),
                    )
                )
        IdeaVote.objects.bulk_create(votes, ignore_conflicts=True)
        IdeaUse.objects.bulk_create(uses)
    return len(saved)
