"""Demo data: a small article library and hand-set topics on some customers."""

from __future__ import annotations

import datetime as dt
import random

from extramile.agenda.habits import demo
from extramile.articles.models import Article, CustomerTopic
from extramile.book.models import Customer

# (title, topics, summary): written for the demo.
LIBRARY = [
    (
        "Five checks before a long drive",
        "cars, travel",
        "Tyres, fluids, lights: ten minutes that save a holiday.",
    ),
    (
        "What a home charger really costs",
        "electric cars, home",
        "Installation, tariffs and the break-even point.",
    ),
    ("Packing light for a week away", "travel", "One bag, three outfits and a few tricks."),
    ("Starting a vegetable patch", "gardening", "Which crops forgive a beginner's mistakes."),
    (
        "The quiet art of fly fishing",
        "fishing, outdoors",
        "Patience, rivers and knots worth learning.",
    ),
    (
        "Cycling to work without the sweat",
        "cycling, health",
        "Routes, racks and a change of shirt.",
    ),
    ("Choosing a family car in 2026", "cars, family", "Seats, boots and running costs compared."),
    ("Running your first 10k", "running, health", "An eight-week plan that fits a busy diary."),
    (
        "Cash flow habits of small firms",
        "small business, finance",
        "Invoices, buffers and the monthly review.",
    ),
    ("Hiring your first employee", "small business", "Contracts, payroll and the first week."),
    (
        "Sourdough for the impatient",
        "baking, cooking",
        "A starter in five days and a loaf on Sunday.",
    ),
    ("Weeknight dinners in 20 minutes", "cooking, family", "Seven meals from one shopping list."),
    ("Golf swing basics revisited", "golf", "Grip, stance and the one drill pros repeat."),
    ("Planning a sailing weekend", "sailing, travel", "Tides, weather windows and what to pack."),
    ("Saving on home heating", "home, finance", "Thermostats, draughts and the boiler check."),
    ("Photographing your children well", "photography, family", "Light, eye level and patience."),
    (
        "A beginner's guide to wine regions",
        "wine, travel",
        "Six regions and what to taste in each.",
    ),
    ("Keeping a classic car on the road", "cars, classic cars", "Parts, clubs and winter storage."),
    ("Hiking with a dog", "hiking, dogs, outdoors", "Water, leads and trails that welcome them."),
    (
        "Retirement planning at fifty",
        "finance, retirement",
        "Pensions, timelines and questions to ask.",
    ),
    (
        "Getting started with birdwatching",
        "birds, outdoors",
        "Binoculars, apps and a backyard list.",
    ),
    (
        "Smart home without the headaches",
        "technology, home",
        "Which devices are worth it and which are not.",
    ),
    ("Riding a motorbike in the rain", "motorcycles, safety", "Gear, grip and braking distances."),
    ("Skiing on a budget", "skiing, travel", "Off-peak weeks, rentals and passes."),
    ("Reading more in a busy year", "books", "Twenty pages a day and other small habits."),
]

TOPICS = sorted({t.strip() for _, topics, _ in LIBRARY for t in topics.split(",")})


@demo("articles", order=5)
def populate(now: dt.datetime, rng: random.Random) -> int:
    """Create the library and give about a third of the customers two or three topics."""
    created = 0
    for n, (title, topics, summary) in enumerate(LIBRARY, start=1):
        _, new = Article.objects.get_or_create(
            url=f"https://articles.example.com/{n}",
            defaults={
                "title": title,
                "topics": topics,
                "summary": summary,
                "language": "en",
                "created_at": now,
            },
        )
        created += new
    ids = list(Customer.objects.order_by("id").values_list("id", flat=True))
    chosen = [pk for pk in ids if rng.random() < 0.33]
    rows = [
        CustomerTopic(customer_id=pk, topic=topic)
        for pk in chosen
        for topic in rng.sample(TOPICS, rng.randint(2, 3))
    ]
    CustomerTopic.objects.bulk_create(rows, ignore_conflicts=True)
    return created
