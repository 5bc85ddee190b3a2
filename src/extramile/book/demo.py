"""A deterministic, realistic demo company: ``extramile demo``.

Same seed and same day give the same book: reps, a manager and an admin; customers in households;
three-generation families; birthdays (some on 29 February, some today and in the next few days so
Today has real work at once); anniversaries; personal facts; five years of sales; referrals with
rewards; promises, some overdue. Written in bulk so 100,000 customers take seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from extramile import clock
from extramile.accounts.models import Company, Role, Team, User
from extramile.book.models import (
    Customer,
    EmailAddress,
    Fact,
    Household,
    KeyDate,
    PhoneNumber,
    Promise,
    Referral,
    Relationship,
    RewardStatus,
    Sale,
)

DEFAULT_PASSWORD = "go-the-extra-mile"  # noqa: S105  (demo logins, printed and documented)
BATCH = 5000

FIRST_NAMES = [
    "Aaliyah",
    "Aaron",
    "Abigail",
    "Adam",
    "Adrian",
    "Aisha",
    "Alan",
    "Alice",
    "Amara",
    "Amelia",
    "Andre",
    "Angela",
    "Anita",
    "Arjun",
    "Ava",
    "Beatriz",
    "Ben",
    "Bianca",
    "Brandon",
    "Camila",
    "Carlos",
    "Carmen",
    "Caroline",
    "Chen",
    "Chloe",
    "Claire",
    "Connor",
    "Daniel",
    "Daria",
    "David",
    "Deborah",
    "Diego",
    "Dmitri",
    "Eleanor",
    "Elena",
    "Eli",
    "Elijah",
    "Emily",
    "Emma",
    "Erik",
    "Esther",
    "Ethan",
    "Fatima",
    "Felix",
    "Fiona",
    "Frank",
    "Gabriel",
    "Grace",
    "Hannah",
    "Harper",
    "Hassan",
    "Helen",
    "Henry",
    "Hiro",
    "Imani",
    "Isaac",
    "Isabel",
    "Ivan",
    "Jack",
    "Jada",
    "James",
    "Jamal",
    "Jasmine",
    "Javier",
    "Jenna",
    "Joel",
    "Jorge",
    "Josephine",
    "Julia",
    "Julian",
    "Kai",
    "Kara",
    "Keisha",
    "Kenji",
    "Laila",
    "Lars",
    "Laura",
    "Leah",
    "Leo",
    "Lily",
    "Lucas",
    "Lucia",
    "Luis",
    "Maeve",
    "Malik",
    "Maria",
    "Marcus",
    "Marta",
    "Mateo",
    "Maya",
    "Mei",
    "Mia",
    "Michael",
    "Mila",
    "Miriam",
    "Nadia",
    "Naomi",
    "Nathan",
    "Nia",
    "Noah",
    "Nora",
    "Olga",
    "Oliver",
    "Omar",
    "Paul",
    "Priya",
    "Rachel",
    "Rafael",
    "Rania",
    "Ravi",
    "Rebecca",
    "Rosa",
    "Ruth",
    "Ryan",
    "Sam",
    "Samira",
    "Sara",
    "Sean",
    "Sofia",
    "Sophie",
    "Stefan",
    "Tariq",
    "Theo",
    "Tomas",
    "Uma",
    "Valentina",
    "Victor",
    "Wei",
    "William",
    "Yara",
    "Yusuf",
    "Zara",
    "Zoe",
]
LAST_NAMES = [
    "Abbott",
    "Acosta",
    "Adeyemi",
    "Alvarez",
    "Andersen",
    "Bauer",
    "Becker",
    "Bishop",
    "Brennan",
    "Castillo",
    "Chang",
    "Chavez",
    "Costa",
    "Dalton",
    "Delgado",
    "Dubois",
    "Duncan",
    "Ellison",
    "Esposito",
    "Fischer",
    "Fitzgerald",
    "Flores",
    "Foster",
    "Garcia",
    "Gallagher",
    "Goldberg",
    "Gupta",
    "Haddad",
    "Hale",
    "Hansen",
    "Harper",
    "Hayes",
    "Herrera",
    "Hoffman",
    "Ibrahim",
    "Ivanova",
    "Jensen",
    "Kaur",
    "Keller",
    "Kim",
    "Kowalski",
    "Larsen",
    "Laurent",
    "Lindqvist",
    "Lopez",
    "Lynch",
    "Mahoney",
    "Marino",
    "Mendez",
    "Meyer",
    "Moreau",
    "Murphy",
    "Nakamura",
    "Novak",
    "Nguyen",
    "Obi",
    "Okafor",
    "Olsen",
    "Ortiz",
    "Park",
    "Patel",
    "Petrov",
    "Quinn",
    "Ramirez",
    "Reyes",
    "Romano",
    "Rossi",
    "Russo",
    "Sato",
    "Schmidt",
    "Shah",
    "Silva",
    "Sullivan",
    "Tanaka",
    "Torres",
    "Vargas",
    "Walsh",
    "Weber",
    "Whitaker",
    "Yamamoto",
    "Young",
    "Zhang",
    "Zimmerman",
]
STREETS = [
    "Maple Ave",
    "Oak St",
    "Harbor Rd",
    "Cedar Ln",
    "Elm St",
    "Lakeview Dr",
    "Hillcrest Rd",
    "Willow Way",
    "Birch Ct",
    "Sunset Blvd",
    "Park Pl",
    "River Rd",
    "Meadow Ln",
    "Chestnut St",
    "Orchard Dr",
    "Bayview Ter",
    "Pine St",
    "Mill Rd",
]
CITIES = [
    ("Portland", "ME", "04101", "207"),
    ("Burlington", "VT", "05401", "802"),
    ("Providence", "RI", "02903", "401"),
    ("Hartford", "CT", "06103", "860"),
    ("Albany", "NY", "12207", "518"),
    ("Trenton", "NJ", "08608", "609"),
    ("Wilmington", "DE", "19801", "302"),
    ("Annapolis", "MD", "21401", "410"),
    ("Richmond", "VA", "23219", "804"),
    ("Raleigh", "NC", "27601", "919"),
]
DOMAINS = ["example.com", "example.net", "example.org"]
VEHICLES = [
    "a blue hatchback",
    "a seven-seat minivan",
    "a pickup with a tow hitch",
    "an electric crossover",
    "a convertible it only takes out in summer",
    "a station wagon with a roof box",
    "a compact SUV",
]

HOBBIES = [
    ("Sails a small boat on weekends", "sailing"),
    ("Runs half-marathons and is training for a full one", "running"),
    ("Grows tomatoes and enters them at the county fair", "gardening"),
    ("Restores old motorcycles in the garage", "motorcycles"),
    ("Sings in a community choir", "music"),
    ("Coaches a youth soccer team", "soccer"),
    ("Birdwatcher with a life list of over 300 species", "birding"),
    ("Bakes sourdough and shares loaves with the neighbours", "baking"),
    ("Plays golf every Saturday morning", "golf"),
    ("Keeps bees and sells the honey at the farmers' market", "beekeeping"),
    ("Follows the local baseball team home and away", "baseball"),
    ("Goes camping in the mountains every August", "camping"),
]
WORK = [
    ("Nurse on night shifts at the regional hospital", "healthcare"),
    ("Runs a family bakery downtown", "food"),
    ("Civil engineer working on the new bridge", "engineering"),
    ("High-school history teacher", "education"),
    ("Owns a landscaping business with six staff", "small business"),
    ("Accountant; busy from February to April", "finance"),
    ("Software developer, works from home", "technology"),
    ("Retired firefighter", "retired"),
    ("Real-estate agent covering the coast", "real estate"),
    ("Electrician, often on call at weekends", "trades"),
]
LIFE_EVENTS = [
    ("Just moved into a bigger house", "moving"),
    ("First grandchild born this spring", "grandchild"),
    ("Daughter started college in the fall", "college"),
    ("Recovering from knee surgery", "health"),
    ("Got a promotion to team lead", "career"),
    ("Celebrated 25 years of marriage with a trip to Lisbon", "anniversary"),
    ("Adopted a rescue dog called Biscuit", "pets"),
    ("Son is getting married next summer", "wedding"),
    ("Retired after 30 years at the same firm", "retirement"),
]
PRODUCTS = [
    ("New sedan", 24000, 38000),
    ("New SUV", 32000, 56000),
    ("Certified pre-owned car", 14000, 26000),
    ("Extended warranty", 900, 2500),
    ("Winter tyre set", 700, 1400),
    ("Service plan, 3 years", 600, 1500),
    ("Roof rack and bike carrier", 300, 900),
]
PROMISES = [
    "Send the brochure for the hybrid model",
    "Call back with a trade-in valuation",
    "Check whether the roof rack fits their car",
    "Book the winter tyre change",
    "Find out about the recall on their model",
    "Email the financing options",
    "Arrange a test drive for their son",
]
EXPECTATIONS = [
    "a call before the warranty runs out",
    "the service loan car ready at 8 am",
    "the quote in writing by Friday",
]


@dataclass
class DemoResult:
    company: Company
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, password
    customers: int = 0
    households: int = 0
    relationships: int = 0
    sales: int = 0
    referrals: int = 0
    promises: int = 0
    facts: int = 0
    key_dates: int = 0
    # What each feature's registered demo made (``agenda.habits.demo``), by the demo's name.
    extras: dict[str, int] = field(default_factory=dict)
    history_touches: int = 0  # the year of history (runtime/history.py)


@dataclass
class Person:
    customer: Customer
    generation: int
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)


class DemoBuilder:
    def __init__(
        self,
        rng: random.Random,
        today: dt.date,
        reps: list[User],
        progress: Callable[[int], None] | None,
    ) -> None:
        self.rng = rng
        self.today = today
        self.reps = reps
        self.progress = progress or (lambda n: None)
        self.households: list[Household] = []
        self.people: list[Person] = []
        self.links: list[tuple[int, str, int]] = []  # indexes into people
        self.household_of: list[int | None] = []
        self.couples: list[tuple[int, int, int]] = []  # (a, b, wedding year)
        self.serial = 0
        self.families = 0
        self.owner = reps[0]

    # --- small pieces ------------------------------------------------------------------------

    def address(self) -> dict[str, str]:
        city, state, zipcode, _ = self.rng.choice(CITIES)
        return {
            "street": f"{self.rng.randint(1, 2999)} {self.rng.choice(STREETS)}",
            "city": city,
            "region": state,
            "postal_code": zipcode,
            "country": "US",
        }

    def phone(self) -> str:
        area = self.rng.choice(CITIES)[3]
        exchange = self.rng.randint(201, 989)
        if exchange == 555:
            exchange = 556
        return f"+1{area}{exchange}{self.rng.randint(0, 9999):04d}"

    def birthday(self, generation: int) -> tuple[int, int, int | None]:
        base = {0: 1950, 1: 1975, 2: 2000}[generation]
        year = base + self.rng.randint(-8, 8)
        day = dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))
        return day.month, day.day, (year if self.rng.random() < 0.7 else None)

    def new_person(self, first: str, last: str, generation: int, household: int | None) -> int:
        month, day, year = self.birthday(generation)
        owner = self.owner
        roll = self.rng.random()
        status = "prospect" if roll < 0.1 else "former" if roll < 0.14 else "customer"
        since = self.today - dt.timedelta(days=self.rng.randint(30, 365 * 12))
        fields = {} if household is not None else self.address()
        customer = Customer(
            owner=owner,
            first_name=first,
            last_name=last,
            preferred_name=first
            if self.rng.random() < 0.8
            else f"{self.rng.choice(['Mr', 'Ms', 'Dr'])} {last}",
            birth_month=month,
            birth_day=day,
            birth_year=year,
            language="en",
            status=status,
            customer_since=since if status != "prospect" else None,
            do_not_call=self.rng.random() < 0.03,
            do_not_mail=self.rng.random() < 0.02,
            do_not_email=self.rng.random() < 0.02,
            **fields,
        )
        self.serial += 1
        local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        person = Person(customer, generation)
        person.emails.append(f"{local}{self.serial}@{self.rng.choice(DOMAINS)}")
        person.phones.append(self.phone())
        if self.rng.random() < 0.3:
            person.phones.append(self.phone())
        self.people.append(person)
        self.household_of.append(household)
        return len(self.people) - 1

    def new_household(self, name: str) -> int:
        self.households.append(Household(name=name, **self.address()))
        return len(self.households) - 1

    # --- families ----------------------------------------------------------------------------

    def couple(self, last: str, generation: int) -> tuple[int, int, int]:
        home = self.new_household(f"The {last} Family")
        a = self.new_person(self.rng.choice(FIRST_NAMES), last, generation, home)
        b = self.new_person(self.rng.choice(FIRST_NAMES), last, generation, home)
        self.links.append((a, "spouse", b))
        wedding = {0: 1972, 1: 2002, 2: 2022}[generation] + self.rng.randint(-5, 3)
        self.couples.append((a, b, wedding))
        return a, b, home

    def family(self, remaining: int) -> None:
        """A single person, a couple (maybe with a grown child) or three generations; one rep
        looks after the whole family."""
        self.owner = self.reps[self.families % len(self.reps)]
        self.families += 1
        last = self.rng.choice(LAST_NAMES)
        roll = self.rng.random()
        if roll < 0.12 and remaining >= 7:
            # Three generations: grandparents, a child's family, grandchildren.
            g1, g2, _ = self.couple(last, 0)
            p1, p2, home = self.couple(last, 1)
            for grandparent in (g1, g2):
                self.links.append((grandparent, "parent", p1))
            for _ in range(self.rng.randint(1, 3)):
                kid = self.new_person(self.rng.choice(FIRST_NAMES), last, 2, home)
                for parent in (p1, p2):
                    self.links.append((parent, "parent", kid))
        elif roll < 0.45 and remaining >= 2:
            a, b, home = self.couple(last, self.rng.choice([0, 1]))
            if self.rng.random() < 0.3 and remaining >= 3:
                kid = self.new_person(self.rng.choice(FIRST_NAMES), last, 2, None)
                self.links.append((a, "parent", kid))
                self.links.append((b, "parent", kid))
        else:
            self.new_person(self.rng.choice(FIRST_NAMES), last, self.rng.choice([0, 1, 1, 2]), None)

    def build(self, count: int) -> None:
        while len(self.people) < count:
            self.family(count - len(self.people))
        del self.people[count:]
        del self.household_of[count:]
        self.links = [(a, k, b) for a, k, b in self.links if a < count and b < count]
        self.couples = [(a, b, y) for a, b, y in self.couples if a < count and b < count]
        self.make_some_dates_soon()

    def make_some_dates_soon(self) -> None:
        """Give every rep birthdays today and over the next few days, and a few 29 Februaries."""
        people = self.people
        step = max(1, len(people) // (len(self.reps) * 12 + 1))
        step += 1 if step % len(self.reps) == 0 else 0  # so the owners vary
        for n, start in enumerate(range(0, len(people), step)):
            index = start
            day = self.today + dt.timedelta(days=n % 4)
            person = people[index].customer
            person.birth_month, person.birth_day = day.month, day.day
            person.status = "customer"
            person.do_not_call = person.do_not_mail = person.do_not_email = False
            if person.birth_year and not _valid(day.month, day.day, person.birth_year):
                person.birth_year = None
        for index in range(step // 2, len(people), max(1, len(people) // 6)):
            people[index].customer.birth_month, people[index].customer.birth_day = 2, 29
            year = people[index].customer.birth_year
            if year and not _valid(2, 29, year):
                people[index].customer.birth_year = year - year % 4  # a leap year

    # --- writing -----------------------------------------------------------------------------

    def save(self, result: DemoResult) -> None:
        rng = self.rng
        Household.objects.bulk_create(self.households, batch_size=BATCH)
        for person, household in zip(self.people, self.household_of, strict=True):
            if household is not None:
                person.customer.household = self.households[household]
        customers = [p.customer for p in self.people]
        # Sales first, so that "customer since" is never after the first purchase.
        sales = [sale for c in customers if c.status != "prospect" for sale in self.sales_for(c)]
        first_sale: dict[int, dt.date] = {}
        for bought in sales:
            key = id(bought.customer)
            first_sale[key] = min(bought.date, first_sale.get(key, bought.date))
        for c in customers:
            if c.customer_since is not None and id(c) in first_sale:
                c.customer_since = min(c.customer_since, first_sale[id(c)])
        for start in range(0, len(customers), BATCH):
            Customer.objects.bulk_create(customers[start : start + BATCH])
            self.progress(len(customers[start : start + BATCH]))
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(customer=p.customer, address=a, label="home", is_primary=i == 0)
                for p in self.people
                for i, a in enumerate(p.emails)
            ],
            batch_size=BATCH,
        )
        PhoneNumber.objects.bulk_create(
            [
                PhoneNumber(
                    customer=p.customer,
                    number=n,
                    label="mobile" if i == 0 else "home",
                    is_primary=i == 0,
                )
                for p in self.people
                for i, n in enumerate(p.phones)
            ],
            batch_size=BATCH,
        )
        Relationship.objects.bulk_create(
            [
                Relationship(from_customer=customers[a], to_customer=customers[b], kind=kind)
                for a, kind, b in self.links
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        key_dates = [
            KeyDate(customer=customers[a], kind="wedding", month=m, day=d, year=year)
            for a, _b, year in self.couples
            for m, d in [self.wedding_day(year)]
        ]
        # A few anniversaries land on today, so the first plan has cards to mail at once.
        for key_date in key_dates[:: max(1, len(key_dates) // 5)]:
            key_date.month, key_date.day = self.today.month, self.today.day
            if not _valid(key_date.month, key_date.day, key_date.year):
                key_date.year = None
        key_dates += [
            KeyDate(customer=c, kind="custom", label="Moved to the area", month=m, day=d)
            for c in customers[7::53]
            for m, d in [self.any_day()]
        ]
        KeyDate.objects.bulk_create(key_dates, batch_size=BATCH)
        facts = [fact for person in self.people for fact in self.facts_for(person)]
        Fact.objects.bulk_create(facts, batch_size=BATCH)
        for bought in sales:
            bought.customer = bought.customer  # the customer's id, now that it is saved
        Sale.objects.bulk_create(sales, batch_size=BATCH)
        last_sale = {s.customer_id: s for s in sorted(sales, key=lambda s: s.date)}
        referrals = []
        for index in range(3, len(customers), 9):
            referrer = customers[rng.randrange(len(customers))]
            referred = customers[index]
            if referrer.pk == referred.pk:
                continue
            sale = last_sale.get(referred.pk)
            reward = Decimal(rng.choice([0, 0, 100, 150, 250]))
            status = RewardStatus.NONE
            paid_on = None
            if reward:
                status = RewardStatus.PENDING
                if sale is not None:
                    status = RewardStatus.PAID if rng.random() < 0.6 else RewardStatus.OWED
                    paid_on = sale.date + dt.timedelta(days=14) if status == "paid" else None
            referrals.append(
                Referral(
                    referrer=referrer,
                    referred=referred,
                    date=(sale.date - dt.timedelta(days=20))
                    if sale
                    else self.today - dt.timedelta(days=40),
                    sale=sale,
                    reward_amount=reward or None,
                    reward_status=status,
                    reward_paid_on=paid_on,
                )
            )
        Referral.objects.bulk_create(referrals, batch_size=BATCH, ignore_conflicts=True)
        promises = [self.promise_for(c, n) for n, c in enumerate(customers[5::19])]
        Promise.objects.bulk_create(promises, batch_size=BATCH)
        result.customers = len(customers)
        result.households = len(self.households)
        result.relationships = len(self.links)
        result.sales = len(sales)
        result.referrals = len(referrals)
        result.promises = len(promises)
        result.facts = len(facts)
        result.key_dates = len(key_dates)

    def any_day(self) -> tuple[int, int]:
        day = dt.date(2001, 1, 1) + dt.timedelta(days=self.rng.randrange(365))
        return day.month, day.day

    def wedding_day(self, year: int) -> tuple[int, int]:
        month, day = self.any_day()
        return (month, day) if _valid(month, day, year) else (month, 28)

    def facts_for(self, person: Person) -> list[Fact]:
        rng = self.rng
        c = person.customer
        facts = []
        hobby, hobby_tag = rng.choice(HOBBIES)
        facts.append(Fact(customer=c, text=hobby, category="hobby", tags=f"interest, {hobby_tag}"))
        if person.generation > 0 or rng.random() < 0.5:
            job, industry = rng.choice(WORK)
            facts.append(Fact(customer=c, text=job, category="work", tags=f"industry, {industry}"))
        if rng.random() < 0.6:
            facts.append(
                Fact(
                    customer=c,
                    text=f"Drives {rng.choice(VEHICLES)}",
                    category="vehicle",
                    tags="car",
                )
            )
        if rng.random() < 0.35:
            event, tag = rng.choice(LIFE_EVENTS)
            learned = self.today - dt.timedelta(days=rng.randint(3, 200))
            facts.append(
                Fact(customer=c, text=event, category="life_event", tags=tag, learned_on=learned)
            )
        if rng.random() < 0.3:
            pet = rng.choice(["a cat called Pepper", "two dogs", "a parrot that talks", "a pony"])
            facts.append(Fact(customer=c, text=f"Has {pet}", category="family", tags="pets"))
        facts[rng.randrange(len(facts))].pinned = rng.random() < 0.6
        return facts

    def sales_for(self, customer: Customer) -> list[Sale]:
        rng = self.rng
        sales = []
        for _ in range(rng.choice([0, 1, 1, 1, 2, 2, 3, 4])):
            name, low, high = rng.choice(PRODUCTS)
            sales.append(
                Sale(
                    customer=customer,
                    sold_by=customer.owner,
                    date=self.today - dt.timedelta(days=rng.randint(1, 5 * 365)),
                    description=name,
                    amount=Decimal(rng.randint(low, high)),
                )
            )
        return sales

    def promise_for(self, customer: Customer, n: int) -> Promise:
        rng = self.rng
        kind = "expectation" if n % 5 == 4 else "promise"
        text = rng.choice(EXPECTATIONS if kind == "expectation" else PROMISES)
        due = self.today + dt.timedelta(days=rng.randint(-6, 10))
        met_at = None
        if n % 3 == 2:
            met_at = timezone.make_aware(dt.datetime.combine(due, dt.time(15)), dt.UTC)
        return Promise(customer=customer, kind=kind, description=text, due_on=due, met_at=met_at)


def _valid(month: int, day: int, year: int | None) -> bool:
    from extramile.book.dates import check_month_day

    return check_month_day(month, day, year) is None


def make_users(reps: int, password: str) -> tuple[list[User], list[tuple[str, str, str]]]:
    north, _ = Team.objects.get_or_create(name="North")
    south, _ = Team.objects.get_or_create(name="South")
    logins = []
    hashed = make_password(password)  # once: hashing is slow on purpose, and the logins share it

    def user(
        username: str, first: str, last: str, role: str, team: Team | None, **extra: str
    ) -> User:
        made = User.objects.create(
            username=username,
            password=hashed,
            email=f"{username}@bayview-motors.example",
            first_name=first,
            last_name=last,
            role=role,
            team=team,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
            **extra,
        )
        logins.append((username, role, password))
        return made

    rep_names = [
        ("Jordan", "Reyes"),
        ("Priya", "Nair"),
        ("Sam", "Whitfield"),
        ("Elena", "Kovac"),
        ("Marcus", "Bell"),
        ("Aiko", "Mori"),
    ]
    made = []
    for n in range(reps):
        first, last = rep_names[n % len(rep_names)]
        made.append(user(f"rep{n + 1}", first, last, Role.REP, north if n % 2 == 0 else south))
    user("manager", "Dana", "Okoye", Role.MANAGER, north)
    user("admin", "Alex", "Morgan", Role.ADMIN, None)
    return made, logins


def create_book(
    customers: int = 2000,
    reps: int = 4,
    seed: int = 42,
    password: str = DEFAULT_PASSWORD,
    now: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> DemoResult:
    """Create the demo company and its customer book in one transaction: all of it or nothing.
    The features' demo data is added by ``extramile.runtime.demo.create_demo``."""
    if customers < 1 or reps < 1:
        raise ValueError("A demo needs at least one customer and one rep.")
    now = now or clock.now()
    with transaction.atomic():
        company = Company.get()
        company.name = "Bayview Motors"
        company.street = "400 Harbor Rd"
        company.city = "Portland"
        company.region = "ME"
        company.postal_code = "04101"
        company.country = "US"
        company.time_zone = "America/New_York"
        company.save()
        rep_users, logins = make_users(reps, password)
        today = now.astimezone(company.zone).date()
        builder = DemoBuilder(random.Random(seed), today, rep_users, progress)
        builder.build(customers)
        result = DemoResult(company=company, logins=logins)
        builder.save(result)
    return result
