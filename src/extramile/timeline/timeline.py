"""One customer's timeline: every app's records about them, newest first, one page at a time.

Each **source** is one indexed query on its own table (every one of them starts with the
customer: ``contact_customer_at``, ``call_customer_at``, ``inbound_customer``, ``note_customer_at``,
``sale_customer_date``, ``story_customer``, …) ordered by its time, newest first, limited to one
page. The pages's rows are the newest of those, merged in Python (``heapq.merge``): at most
``len(SOURCES)`` short index scans whatever the length of the history.

**Keyset pagination.** The order is (time, source, id), descending; a page's cursor is its last
row's triple. The next page asks each source only for rows after the cursor (``_after``), so
page 200 costs what page 1 costs. A source whose records carry a day, not a moment (a sale, a
referral, a story, a lunch), places them at noon of that day in the company's time zone
(``_noon``); the cursor translates to dates for them, so the keyset stays exact.

**Once each.** A record is listed from the table that owns it: a proactive call from
``outreach.Call`` (with its note, answered or not), a meal from the lunch, a reply from the
inbound message it answers (with the text when it was written here). ``book.Contact`` rows are
listed only for the channels no other record carries (meetings, visits, e-mails, texts).

**Scoping.** The caller fetched the customer through ``Customer.objects.visible_to(user)``. Stories follow
``culture.services.visible_stories`` (a private story is its author's only), and a referral is
listed only when the other customer is visible too.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from extramile.accounts.models import Company, User
from extramile.book.models import (
    Contact,
    ContactChannel,
    Customer,
    Promise,
    PromiseKind,
    Referral,
    Sale,
    display_name,
    in_book,
)
from extramile.book.presence import Check
from extramile.culture.models import Story
from extramile.timeline.models import Note

PAGE = 25

# The filter groups, in the order the page lists them.
KINDS: dict[str, str] = {
    "note": "Notes",
    "call": "Calls",
    "contact": "Contacts",
    "message": "Messages in",
    "reply": "Replies out",
    "card": "Cards",
    "thank_you": "Thank-you notes",
    "article": "Articles",
    "service": "Service",
    "sale": "Sales",
    "referral": "Referrals",
    "promise": "Promises",
    "story": "Stories",
    "lunch": "Lunches",
}

LABELS: dict[str, str] = {
    "note": "Note",
    "call": "Call",
    "contact": "Contact",
    "message": "Message",
    "reply": "Reply",
    "card": "Card",
    "thank_you": "Thank-you",
    "article": "Article",
    "service": "Service",
    "sale": "Sale",
    "referral": "Referral",
    "promise": "Promise",
    "story": "Story",
    "lunch": "Lunch",
}

# Channels whose contacts another record carries (the call, the reply, the meal).
OWNED_ELSEWHERE = [ContactChannel.CALL, ContactChannel.REPLY, ContactChannel.MEAL]


@dataclass(frozen=True, order=True)
class Cursor:
    at: dt.datetime
    rank: int
    pk: int

    def encode(self) -> str:
        text = f"{self.at.astimezone(dt.UTC).isoformat()}|{self.rank}|{self.pk}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor | None:
        """The cursor in ``token``; None for anything that is not one (the first page)."""
        try:
            text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            at, rank, pk = text.split("|")
            moment = dt.datetime.fromisoformat(at)
            if moment.tzinfo is None:
                return None
            return cls(moment, int(rank), int(pk))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    kind: str  # a KINDS key
    rank: int
    pk: int
    title: str
    text: str = ""
    who: str = ""
    day_only: bool = False  # the record has a day, not a moment
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.at, self.rank, self.pk)

    @property
    def sort_key(self) -> tuple[dt.datetime, int, int]:
        return (self.at, self.rank, self.pk)


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    next: Cursor | None


@dataclass(frozen=True)
class Context:
    customer: Customer
    viewer: User
    zone: ZoneInfo
    limit: int


Fetch = Callable[[Context, int, Cursor | None], Iterable[Entry]]


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    fetch: Fetch
    # The presence checks (``checks``) of which one must find a row for the source to have any.
    needs: tuple[str, ...] = ()


# -- keyset conditions ------------------------------------------------------------------------


def _after(column: str, rank: int, cursor: Cursor | None) -> Q:
    """Rows of a source (rank ``rank``) that come after ``cursor`` in (time, rank, id) DESC order."""
    if cursor is None:
        return Q()
    if rank < cursor.rank:
        return Q(**{f"{column}__lte": cursor.at})
    if rank > cursor.rank:
        return Q(**{f"{column}__lt": cursor.at})
    return Q(**{f"{column}__lt": cursor.at}) | Q(**{column: cursor.at, "pk__lt": cursor.pk})


def _noon(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """Where a day-only record sits on the timeline: noon of its day, company time, in UTC."""
    return dt.datetime.combine(day, dt.time(12), zone).astimezone(dt.UTC)


def _after_day(column: str, rank: int, cursor: Cursor | None, zone: ZoneInfo) -> Q:
    """``_after`` for a date column placed at ``_noon``: the same rows, as a condition on days."""
    if cursor is None:
        return Q()
    local = cursor.at.astimezone(zone).date()
    noon = _noon(local, zone)
    last_before = local if noon < cursor.at else local - dt.timedelta(days=1)  # noon(d) < at
    last_upto = local if noon <= cursor.at else local - dt.timedelta(days=1)  # noon(d) <= at
    if rank < cursor.rank:
        return Q(**{f"{column}__lte": last_upto})
    if rank > cursor.rank:
        return Q(**{f"{column}__lte": last_before})
    earlier = Q(**{f"{column}__lte": last_before})
    if noon == cursor.at:
        earlier |= Q(**{column: local, "pk__lt": cursor.pk})
    return earlier


def _newest(queryset: QuerySet[Any], column: str, limit: int, *fields: str) -> QuerySet[Any]:
    """The source's newest ``limit`` rows after the cursor, as dicts of ``pk`` and ``fields``."""
    return queryset.order_by(f"-{column}", "-pk").values("pk", *fields)[:limit]


# -- the sources ------------------------------------------------------------------------------
# Each reads only the columns it shows (``values``): no model instances, no joined rows of users.


def _who(prefix: str) -> list[str]:
    return [f"{prefix}__first_name", f"{prefix}__last_name", f"{prefix}__username"]


def _name_of(row: dict[str, Any], prefix: str) -> str:
    first, last = row[prefix + "__first_name"] or "", row[prefix + "__last_name"] or ""
    return f"{first} {last}".strip() or row[prefix + "__username"] or ""


def _notes(ctx: Context, rank: int, cursor: Cursor | None) -> Iterator[Entry]:
    rows = Note.objects.filter(Q(customer=ctx.customer) & _after("at", rank, cursor))
    for row in _newest(rows, "at", ctx.limit, "at", "text", *_who("author")):
        yield Entry(
            row["at"], "note", rank, row["pk"], "Note", row["text"], _name_of(row, "author")
        )


def _calls(ctx: Context, rank: int, cursor: Cursor | None) -> Iterator[Entry]:
    from extramile.outreach.models import Call, CallOutcome

    rows = Call.objects.filter(Q(customer=ctx.customer) & _after("at", rank, cursor))
    for row in _newest(rows, "at", ctx.limit, "at", "outcome", "note", *_who("user")):
        outcome = CallOutcome(row["outcome"]).label.lower()
        yield Entry(
            row["at"],
            "call",
            rank,
            row["pk"],
            f"Call: {outcome}",
            row["note"],
            _name_of(row, "user"),
        )


def _contacts(ctx: Context, rank: int, cursor: Cursor | None) -> Iterator[Entry]:
    rows = Contact.objects.filter(Q(customer=ctx.customer) & _after("at", rank, cursor)).exclude(
        channel__in=OWNED_ELSEWHERE
    )
    for row in _newest(rows, "at", ctx.limit, "at", "channel", "summary", *_who("user")):
        title = ContactChannel(row["channel"]).label
        yield Entry(
            row["at"], "contact", rank, row["pk"], title, row["summary"], _name_of(row, "user")
        )


def _messages_in(ctx: Context, rank: int, cursor: Cursor | None) -> Iterator[Entry]:
    from extramile.inbox.models import Channel, InboundMessage

    rows = InboundMessage.objects.filter(
        Q(customer=ctx.customer) & _after("received_at", rank, cursor)
    )
    fields = ("received_at", "channel", "from_name", "from_address", "summary")
    for row in _newest(rows, "received_at", ctx.limit, *fields):
        sender = row["from_name"] or row["from_address"]
        yield Entry(
            row["received_at"],
            "message",
            rank,
            row["pk"],
            f"{Channel(row['channel']).label} from {sender}",
            row["summary"],
        )


def _replies_out(ctx: Context, rank: int, cursor: Cursor | None) -> Iterator[Entry]:
    """Every answered message: marked by hand, found in the mailbox's Sent, or written here (then
    with its text, read through the reply's one-to-one in the same query)."""
    from extramile.inbox.models import InboundMessage
    from extramile.replies.models import ReplyChannel

    rows = InboundMessage.objects.filter(
        Q(customer=ctx.customer, replied_at__isnull=False) & _after("replied_at", rank, cursor)
    )
    fields = ("replied_at", "breached", "written_reply__channel", "written_reply__text")
    for row in _newest(rows, "replied_at", ctx.limit, *fields, *_who("replied_by")):
        channel = row["written_reply__channel"]
        how = ReplyChannel(channel).label.lower() if channel else "reply"
        verdict = "late" if row["breached"] else "in time"
        yield Entry(
            row["replied_at"],
            "reply",
            rank,
            row["pk"],
            f"Replied ({how}), {verdict}",
            row["written_reply__text"] or "",
            _name_of(row, "replied_by"),
        )


def _cards(ctx: Context, rank: int, cursor: Cursor | None, *, thanks: bool) -> Iterator[Entry]:
    from extramile.cards.models import Card

    customer = ctx.customer
    # Read through the cards' two uniqueness indexes (person; household), as the customer page.
    mine = Q(customer=customer, household__isnull=True)
    whose = mine | Q(household_id=customer.household_id) if customer.household_id else mine
    rows = Card.objects.filter(whose, mailed_at__isnull=False, sale__isnull=not thanks).filter(
        _after("mailed_at", rank, cursor)
    )
    fields = ("mailed_at", "occasion__name", "household__name")
    for row in _newest(rows, "mailed_at", ctx.limit, *fields):
        title = "Thank-you note mailed" if thanks else f"{row['occasion__name']} card mailed"
        to = f"To {row['household__name']}" if row["household__name"] else ""
        yield Entry(
            row["mailed_at"],
            "thank_you" if thanks else "card",
            rank,
            row["pk"],
            title,
            to,
            url=f"/cards/{row['pk']}/",
        )


def _season_cards(ctx: Context, rank: int, cursor: Cursor | None) -> Iterator[Entry]:
    return _cards(ctx, rank, cursor, thanks=False)


def _thank_you_notes(ctx: Context, rank: int, cursor: Cursor | None) -> Iterator[Entry]:
    return _cards(ctx, rank, cursor, thanks=True)


def _articles(ctx: Context, rank: int, cursor: Cursor | None) -> Iterator[Entry]:
    from extramile.articles.models import ArticleMailing

    rows = ArticleMailing.objects.filter(
        Q(customer=ctx.customer, sent_at__isnull=False) & _after("sent_at", rank, cursor)
    )
    for row in _newest(rows, "sent_at", ctx.limit, "sent_at", "channel", "article__title"):
        by = "by post" if row["channel"] == "post" else "by e-mail"
        yield Entry(
            row["sent_at"],
            "article",
            rank,
            row["pk"],
            f"Article sent {by}",
            row["article__title"] or "",
        )


def _service(ctx: Context, rank: int, cursor: Cursor | None) -> Iterator[Entry]:
    from extramile.service.models import EventKind, ServiceEvent

    rows = ServiceEvent.objects.filter(
        Q(request__customer=ctx.customer) & _after("at", rank, cursor)
    )
    fields = ("at", "kind", "text", "request_id", "request__subject")
    for row in _newest(rows, "at", ctx.limit, *fields, *_who("user")):
        yield Entry(
            row["at"],
            "service",
            rank,
            row["pk"],
            f"Service · {EventKind(row['kind']).label}: {row['request__subject']}",
            row["text"],
            _name_of(row, "user"),
            url=f"/service/{row['request_id']}/",
        )


def _sales(ctx: Context, rank: int, cursor: Cursor | None) -> Iterator[Entry]:
    rows = Sale.objects.filter(
        Q(customer=ctx.customer) & _after_day("date", rank, cursor, ctx.zone)
    )
    for row in _newest(rows, "date", ctx.limit, "date", "description", "amount", *_who("sold_by")):
        yield Entry(
            _noon(row["date"], ctx.zone),
            "sale",
            rank,
            row["pk"],
            f"Sale: {row['description']}",
            f"{row['amount']:,.2f}",
            _name_of(row, "sold_by"),
            day_only=True,
        )


def _referrals(ctx: Context, rank: int, cursor: Cursor | None) -> Iterator[Entry]:
    customer = ctx.customer
    book = Customer.objects.visible_to(ctx.viewer)
    rows = Referral.objects.filter(
        (
            (Q(referrer=customer) & in_book(book, "referred_id"))
            | (Q(referred=customer) & in_book(book, "referrer_id"))
        )
        & _after_day("date", rank, cursor, ctx.zone)
    )
    names = ("first_name", "last_name", "company_name")
    fields = (
        "date", "note", "referrer_id", "referred_id",
        *(f"referrer__{n}" for n in names), *(f"referred__{n}" for n in names),
    )  # fmt: skip
    for row in _newest(rows, "date", ctx.limit, *fields):
        side = "referred" if row["referrer_id"] == customer.pk else "referrer"
        other = (
            display_name(*(row[f"{side}__{n}"] for n in names)) or f"Customer #{row[f'{side}_id']}"
        )
        title = f"Referred {other}" if side == "referred" else f"Referred by {other}"
        yield Entry(
            _noon(row["date"], ctx.zone),
            "referral",
            rank,
            row["pk"],
            title,
            row["note"],
            day_only=True,
            url=f"/customers/{row[f'{side}_id']}/",
        )


def _promises_made(ctx: Context, rank: int, cursor: Cursor | None) -> Iterator[Entry]:
    rows = Promise.objects.filter(Q(customer=ctx.customer) & _after("created_at", rank, cursor))
    fields = ("created_at", "kind", "description", "due_on")
    for row in _newest(rows, "created_at", ctx.limit, *fields, *_who("created_by")):
        yield Entry(
            row["created_at"],
            "promise",
            rank,
            row["pk"],
            f"{PromiseKind(row['kind']).label}: {row['description']}",
            f"Due {row['due_on']:%d %b %Y}",
            _name_of(row, "created_by"),
        )


def _promises_met(ctx: Context, rank: int, cursor: Cursor | None) -> Iterator[Entry]:
    rows = Promise.objects.filter(
        Q(customer=ctx.customer, met_at__isnull=False) & _after("met_at", rank, cursor)
    )
    for row in _newest(rows, "met_at", ctx.limit, "met_at", "description", "due_on"):
        late = row["met_at"].astimezone(ctx.zone).date() > row["due_on"]
        yield Entry(
            row["met_at"],
            "promise",
            rank,
            row["pk"],
            f"Met: {row['description']}",
            f"Due {row['due_on']:%d %b %Y}{', met late' if late else ''}",
        )


def _stories(ctx: Context, rank: int, cursor: Cursor | None) -> Iterator[Entry]:
    from extramile.culture.models import Visibility

    rows = Story.objects.visible_to(ctx.viewer).filter(
        Q(customer=ctx.customer) & _after_day("date", rank, cursor, ctx.zone)
    )
    fields = ("date", "visibility", "situation", "what_done")
    for row in _newest(rows, "date", ctx.limit, *fields, *_who("author")):
        story = Story(situation=row["situation"], what_done=row["what_done"])
        private = row["visibility"] == Visibility.PRIVATE
        yield Entry(
            _noon(row["date"], ctx.zone),
            "story",
            rank,
            row["pk"],
            "Story" + (" (only you)" if private else ""),
            story.headline,
            _name_of(row, "author"),
            day_only=True,
            url=f"/stories/{row['pk']}/",
        )


def _lunches(ctx: Context, rank: int, cursor: Cursor | None) -> Iterator[Entry]:
    from extramile.value.models import Invitation, InvitationStatus, MealKind

    rows = Invitation.objects.filter(
        Q(customer=ctx.customer, status=InvitationStatus.HELD, meal_on__isnull=False)
        & _after_day("meal_on", rank, cursor, ctx.zone)
    )
    for row in _newest(rows, "meal_on", ctx.limit, "meal_on", "kind", "notes", *_who("owner")):
        meal = MealKind(row["kind"]).label if row["kind"] else "Breakfast or lunch"
        yield Entry(
            _noon(row["meal_on"], ctx.zone),
            "lunch",
            rank,
            row["pk"],
            f"{meal} together",
            row["notes"],
            _name_of(row, "owner"),
            day_only=True,
        )


# The rank of a source is its place here: it breaks ties between rows of the same moment.
SOURCES: tuple[Source, ...] = (
    Source("notes", "note", _notes, ("notes",)),
    Source("calls", "call", _calls, ("calls",)),
    Source("contacts", "contact", _contacts, ("contacts",)),
    Source("messages", "message", _messages_in, ("messages",)),
    Source("replies", "reply", _replies_out, ("replies",)),
    Source("cards", "card", _season_cards, ("cards", "household_cards")),
    Source("thank_you", "thank_you", _thank_you_notes, ("cards", "household_cards")),
    Source("articles", "article", _articles, ("articles",)),
    Source("service", "service", _service, ("service",)),
    Source("sales", "sale", _sales, ("sales",)),
    Source("referrals", "referral", _referrals, ("referrals_given", "referrals_received")),
    Source("promises_made", "promise", _promises_made, ("promises",)),
    Source("promises_met", "promise", _promises_met, ("promises_met",)),
    Source("stories", "story", _stories, ("stories",)),
    Source("lunches", "lunch", _lunches, ("lunches",)),
)


def checks(customer: Customer) -> dict[str, tuple[Check, int | None]]:
    """The presence checks (``book.presence``) the sources' ``needs`` name, for ``customer``:
    each a superset of its sources' rows, probed through the index the source reads."""
    from extramile.articles.models import ArticleMailing
    from extramile.cards.models import Card
    from extramile.inbox.models import InboundMessage
    from extramile.outreach.models import Call
    from extramile.service.models import ServiceRequest
    from extramile.value.models import Invitation

    pk = customer.pk
    return {
        "notes": (Check(Note, "customer"), pk),
        "calls": (Check(Call, "customer"), pk),
        "contacts": (Check(Contact, "customer"), pk),
        "messages": (Check(InboundMessage, "customer"), pk),
        "replies": (Check(InboundMessage, "customer", "replied_at IS NOT NULL"), pk),
        # Through the cards' two partial uniqueness indexes (person; household).
        "cards": (Check(Card, "customer", "household_id IS NULL"), pk),
        "household_cards": (
            Check(Card, "household", "household_id IS NOT NULL"),
            customer.household_id,
        ),
        "articles": (Check(ArticleMailing, "customer"), pk),
        "service": (Check(ServiceRequest, "customer"), pk),
        "sales": (Check(Sale, "customer"), pk),
        "referrals_given": (Check(Referral, "referrer"), pk),
        "referrals_received": (Check(Referral, "referred"), pk),
        "promises": (Check(Promise, "customer"), pk),
        "promises_met": (Check(Promise, "customer", "met_at IS NOT NULL"), pk),
        "stories": (Check(Story, "customer"), pk),
        "lunches": (Check(Invitation, "customer"), pk),
    }


def company_zone(company: Company | None = None) -> ZoneInfo:
    company = company or Company.get()
    return ZoneInfo(company.time_zone or "UTC")


def page(
    customer: Customer,
    viewer: User,
    *,
    after: Cursor | None = None,
    kinds: Sequence[str] = (),
    limit: int = PAGE,
    zone: ZoneInfo | None = None,
    present: Mapping[str, bool] | None = None,
) -> Page:
    """One page of ``customer``'s timeline as ``viewer`` sees it, newest first.

    ``kinds`` (KINDS keys) filters; none is everything. ``after`` is the previous page's
    ``next``. ``present`` (``book.presence.present(checks(customer))``, asked by the caller
    together with its own checks) leaves out the sources known to have no row. The caller has
    checked that ``viewer`` may see ``customer``."""
    wanted = set(kinds) & set(KINDS)
    ctx = Context(customer, viewer, zone or company_zone(), limit + 1)
    streams = [
        list(source.fetch(ctx, rank, after))
        for rank, source in enumerate(SOURCES)
        if (not wanted or source.kind in wanted)
        and (present is None or any(present[need] for need in source.needs))
    ]
    merged = heapq.merge(*streams, key=lambda entry: entry.sort_key, reverse=True)
    entries = []
    for entry in merged:
        entries.append(entry)
        if len(entries) > limit:
            break
    more = len(entries) > limit
    entries = entries[:limit]
    return Page(entries, entries[-1].cursor if more and entries else None)
