"""Demo stories, kudos, a story of the week and a few weeks of check-ins: ``populate(now, rng) -> int``.

The stories were written for this product. Each is told by one of the demo's users about one of
their own customers; a couple are private. Deterministic for a given ``rng``.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from extramile.accounts.models import Role, User
from extramile.agenda.habits import demo
from extramile.book.models import Customer
from extramile.culture.models import CheckIn, Kudos, Story, StoryOfTheWeek, Visibility
from extramile.culture.services import week_start

# (situation, what was done, reaction, lesson, private)
STORIES: list[tuple[str, str, str, str, bool]] = [
    (
        "A customer's van failed its inspection the day before a market weekend.",
        "Found a loan van in the back lot, moved his stock across with him after closing.",
        "He sold out on Saturday and brought us a crate of apples.",
        "Ask what the car is for, not just what is wrong with it.",
        False,
    ),
    (
        "An elderly couple could not read the small print of their finance papers.",
        "Printed everything again in large type and went through it at their kitchen table.",
        "Their daughter called to say thank you and booked her own test drive.",
        "Comfort is part of the contract.",
        False,
    ),
    (
        "A nurse on night shifts could only come in at 7 in the morning.",
        "Opened the showroom early for her and had coffee ready.",
        "She told three colleagues on the ward.",
        "Our opening hours are a habit, not a law.",
        False,
    ),
    (
        "We booked the wrong winter tyres for a family about to drive north.",
        "Drove the right set to their house on Sunday and fitted them in the driveway.",
        "They laughed about it and sent a photo from the mountains.",
        "Own the mistake the same day.",
        False,
    ),
    (
        "A teacher's car was stuck with us over parents' evening.",
        "Lent her my own car so she would not miss it.",
        "She wrote a card to the whole team.",
        "Small risks for people buy large trust.",
        True,
    ),
    (
        "A customer's dog got car sick on every trip.",
        "Found a seat cover and a travel guide for anxious dogs and left them in the boot.",
        "She said nobody had ever asked about the dog before.",
        "Notice what they love, not only what they drive.",
        False,
    ),
    (
        "A retired engineer wanted to understand the hybrid system before buying.",
        "Asked our workshop lead to give him a half-hour tour under the bonnet.",
        "He bought the car and now sends us articles about batteries.",
        "Some customers buy with their curiosity.",
        False,
    ),
    (
        "A colleague was swamped with delivery paperwork at month end.",
        "Took over four of her handovers so she could leave on time for her son's recital.",
        "She covered my Saturday the week after without being asked.",
        "Going the extra mile works inside the team too.",
        False,
    ),
    (
        "A young couple's first car purchase fell through on financing.",
        "Spent an evening finding a cheaper model and a plan that fitted their budget.",
        "They came back a year later for a bigger car when the baby arrived.",
        "A no today can be a yes later if they leave feeling helped.",
        False,
    ),
    (
        "A customer forgot his wedding anniversary was the day of his service appointment.",
        "We had the car washed and put a bunch of flowers on the passenger seat.",
        "His wife phoned the showroom to say it saved the day.",
        "Read the customer's file before they arrive.",
        False,
    ),
    (
        "A farmer could not leave during harvest to bring his pick-up in.",
        "Sent a technician to the farm for the recall fix on a Saturday morning.",
        "He invited the technician to stay for lunch.",
        "Go where the customer is when they cannot come to you.",
        False,
    ),
    (
        "A widow had never dealt with the car paperwork her husband used to handle.",
        "Sat with her for an hour to set up reminders for insurance and service.",
        "She now phones me before anyone else when something comes up.",
        "Patience is a service.",
        True,
    ),
    (
        "A student could not afford the repair before her exams.",
        "Split the invoice into three months with the manager's blessing.",
        "She passed and came in with a thank-you drawing of the car.",
        "Flexibility costs little and is remembered.",
        False,
    ),
    (
        "A customer moving abroad needed to sell his car within a week.",
        "Found him a buyer among our waiting list in two days.",
        "He left a review that still brings us people.",
        "Help them even when there is nothing left to sell them.",
        False,
    ),
    (
        "A mother with twins struggled with the child seats in the showroom.",
        "Fitted both seats properly in her own car and showed her the quick-release trick.",
        "She came back with her sister the next month.",
        "Ten minutes of hands-on help beats a brochure.",
        False,
    ),
]

KUDOS_MESSAGES = ["Lovely.", "This is the spirit.", "Stealing this idea.", "", "", "Well done!"]


@demo("stories", order=8)
def populate(now: dt.datetime, rng: random.Random) -> int:
    """Create the demo stories with kudos, this week's story of the week and about four weeks of
    check-ins; return how many stories."""
    users = list(User.objects.filter(is_active=True).order_by("pk"))
    if not users:
        return 0
    reps = [u for u in users if u.role == Role.REP] or users
    chooser = next((u for u in users if u.sees_team), None)
    with transaction.atomic():
        stories = []
        books: dict[int, list[int]] = {}
        for n, (situation, done, reaction, lesson, private) in enumerate(STORIES):
            author = reps[n % len(reps)]
            if author.pk not in books:
                books[author.pk] = list(
                    Customer.objects.filter(owner=author)
                    .order_by("pk")
                    .values_list("pk", flat=True)[:20]
                )
            customer_id = rng.choice(books[author.pk]) if books[author.pk] else None
            day = author.local_date(now) - dt.timedelta(days=rng.randint(0, 60))
            stories.append(
                Story(
                    author=author,
                    customer_id=customer_id,
                    coworker=rng.choice(users) if "colleague" in situation else None,
                    date=day,
                    situation=situation,
                    what_done=done,
                    reaction=reaction,
                    lesson=lesson,
                    visibility=Visibility.PRIVATE if private else Visibility.TEAM,
                    created_at=now,
                    updated_at=now,
                )
            )
        Story.objects.bulk_create(stories)
        kudos = []
        for story in stories:
            if story.visibility == Visibility.PRIVATE:
                continue
            others = [u for u in users if u.pk != story.author_id]
            for giver in rng.sample(others, k=min(len(others), rng.randint(0, 4))):
                kudos.append(
                    Kudos(
                        story=story, giver=giver, message=rng.choice(KUDOS_MESSAGES), created_at=now
                    )
                )
        Kudos.objects.bulk_create(kudos, ignore_conflicts=True)
        shared = [s for s in stories if s.visibility == Visibility.TEAM]
        if chooser is not None and shared:
            StoryOfTheWeek.objects.update_or_create(
                week_start=week_start(chooser.local_date(now)),
                defaults={
                    "story": max(shared, key=lambda s: s.date),
                    "chosen_by": chooser,
                    "chosen_at": now,
                },
            )
        check_ins = []
        for user in users:
            today = user.local_date(now)
            for days_ago in range(1, 29):
                if rng.random() < 0.7:
                    check_ins.append(
                        CheckIn(
                            user=user,
                            day=today - dt.timedelta(days=days_ago),
                            score=rng.choice([2, 3, 3, 4, 4, 4, 5, 5]),
                            note=rng.choice(["", "", "", "Good calls today.", "Behind on cards."]),
                            created_at=now,
                            updated_at=now,
                        )
                    )
        CheckIn.objects.bulk_create(check_ins, ignore_conflicts=True)
    return len(stories)
