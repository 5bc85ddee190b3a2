"""A batch of cards as print files: the cards PDF, envelopes, label sheets and a mailing-house CSV.

The CLI (``extramile cards``) and the Cards page both call ``render``; what is printed is the
written cards of the batch (a planned card is not ready; a handwritten one prints only its envelope
and label). Cards without a postal address are left off envelopes and labels and reported.

Thank-you notes are handwritten: their envelopes and labels print as soon as the note exists (the
envelope can be ready before the words are), and the note itself prints in the cards PDF only
with ``include_notes`` (its message, or the draft with what was bought).

Articles by post (``articles/delivery.py``) are written cards of the occasion ``article``: the
letter prints in the cards PDF with the article's title, summary and address, and its envelope and
label with the others.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

from django.db.models import Q, QuerySet

from extramile.accounts.models import Company, User
from extramile.addresses import format_address
from extramile.book.models import PostalAddress
from extramile.cards import language
from extramile.cards.models import Card, CardBranding, CardSigner, CardStatus, Source
from extramile.cards.printing import (
    ENVELOPES,
    LAYOUTS,
    PAPERS,
    SHEETS,
    PrintCard,
    PrintError,
    Sender,
    Style,
    render_file,
)

KINDS = ("cards", "envelopes", "labels", "csv")
LETTER_COUNTRIES = {"US", "CA", "MX", "PH", "CL", "CO", "VE"}


@dataclass(frozen=True)
class Options:
    layout: str = "page"
    paper: str = ""
    envelope: str = ""
    sheet: str = ""

    def resolved(self, country: str) -> Options:
        """Fill what was not chosen from the company's country: Letter, #10 and Avery 5160 in
        North America, A4, C6 and L7160 elsewhere."""
        letter = country.upper() in LETTER_COUNTRIES
        return Options(
            layout=self.layout or "page",
            paper=self.paper or ("letter" if letter else "a4"),
            envelope=self.envelope or ("no10" if letter else "c6"),
            sheet=self.sheet or ("avery5160" if letter else "l7160"),
        )

    def check(self) -> None:
        for value, allowed, what in [
            (self.layout, LAYOUTS, "layout"),
            (self.paper, PAPERS, "paper"),
            (self.envelope, ENVELOPES, "envelope"),
            (self.sheet, SHEETS, "label sheet"),
        ]:
            if value and value not in allowed:
                raise PrintError(f"Unknown {what} “{value}”: use one of {', '.join(allowed)}.")


DEFAULT_DESIGNS = {
    "birthday": "confetti",
    "wedding": "rings",
    "christmas": "evergreen",
    "new_year": "evergreen",
    "hanukkah": "evergreen",
    "thank_you": "botanical",
    "monthly": "botanical",
}


def design_for(code: str, branding: CardBranding) -> str:
    """The company's chosen design for an occasion, else the built-in default."""
    return str(branding.designs.get(code) or DEFAULT_DESIGNS.get(code, "classic"))


@dataclass
class Batch:
    cards: list[Card]
    items: list[PrintCard] = field(default_factory=list)
    style: Style = field(default_factory=Style)
    warnings: list[str] = field(default_factory=list)


ADDRESS = ("street", "city", "region", "postal_code", "country")
PERSON = ("first_name", "last_name", "company_name", "preferred_name", "language", "birth_year")
# What printing reads of a card and its recipient's rows. Loading only these cuts the time of
# loading 10,000 cards by a third (a customer row has some 40 columns); a field left out would
# cost a query per card, which tests/cards/test_output.py would catch.
PRINT_FIELDS = (
    *("status", "handwritten", "message", "mail_by", "year", "occasion_on", "occasion", "sale"),
    "owner",
    *(f"customer__{name}" for name in (*PERSON, "household", *ADDRESS)),
    *(f"customer__household__{name}" for name in ("name", *ADDRESS)),
    *(f"household__{name}" for name in ("name", *ADDRESS)),
)


def ready_cards(cards: QuerySet[Card]) -> QuerySet[Card]:
    """The written cards of a batch and its open thank-you notes, in print order (mail-by date,
    then recipient)."""
    note = Q(status=CardStatus.PLANNED, occasion__source=Source.SALE)
    return (
        cards.filter(Q(status=CardStatus.WRITTEN) | note)
        # A batch has a handful of occasions and reps: read once each, not once per card.
        .select_related("customer__household", "household")
        .prefetch_related("occasion", "owner")
        .order_by("mail_by", "customer__last_name", "customer__first_name", "id")
    )


def address_lines(place: PostalAddress | None, home_country: str) -> list[str]:
    return [] if place is None else place.address_lines(home_country)


def build(cards: QuerySet[Card], company: Company, include_notes: bool = False) -> Batch:
    """The batch's print items. ``include_notes``: print the handwritten thank-you notes in the
    cards PDF too (their message, else the draft); otherwise only their envelopes and labels."""
    from extramile.cards.messages import addressee, draft, greeting_for

    branding = CardBranding.get()
    batch = Batch(
        cards=list(ready_cards(cards).only(*PRINT_FIELDS)), style=style_of(branding, company.name)
    )
    signers = {s.user_id: s for s in CardSigner.objects.filter(user__cards__in=cards).distinct()}
    couples = {card.pk for card in batch.cards if card.occasion.source == Source.WEDDING}
    senders: dict[int, tuple[str, ...]] = {}
    for card in batch.cards:
        handwritten = card.handwritten and not (include_notes and card.occasion.is_thank_you)
        message = "" if handwritten else card.message
        if card.occasion.is_thank_you and not handwritten and not message.strip():
            message = draft(card)
        lang = language.get(card.customer.language, branding.language)
        signer = signers.get(card.owner_id)
        if card.owner_id not in senders:
            senders[card.owner_id] = sender_lines(card.owner, signer, company)
        batch.items.append(
            PrintCard(
                recipient=addressee(card) if card.pk in couples else card.recipient_name,
                address=address_lines(card.postal_source, company.country),
                occasion=greeting_for(card.occasion, lang, branding.language),
                message=message,
                handwritten=handwritten,
                signature=signed_name(card.owner, signer),
                reference=f"C-{card.pk}",
                design=design_for(card.occasion.code, branding),
                language=lang.code,
                title=signer.title if signer else "",
                sign_off="" if has_sign_off(message) else (branding.sign_off or ""),
                sender=senders[card.owner_id],
            )
        )
    return batch


def signed_name(user: User, signer: CardSigner | None) -> str:
    return (signer.printed_name if signer else "") or user.get_full_name() or user.username


def sender_lines(user: User, signer: CardSigner | None, company: Company) -> tuple[str, ...]:
    """The return address: the rep's printed name, then the company and its address."""
    return (signed_name(user, signer), *sender_of(company).lines())


def has_sign_off(message: str) -> bool:
    """Whether the message already ends with a closing line ("With warm wishes,")."""
    last = message.strip().rsplit("\n", 1)[-1].strip()
    return last.endswith(",") or (0 < len(last.split()) <= 3)


def style_of(branding: CardBranding, company: str = "") -> Style:
    """The branding as print data; ``company``, the name on the back of a folded card."""
    from extramile.cards.branding import logo_png

    return Style(
        primary=branding.primary_colour,
        accent=branding.accent_colour,
        logo=logo_png(branding),
        handwriting=branding.handwriting,
        company=company,
    )


def sender_of(company: Company) -> Sender:
    lines = format_address(
        "",
        company.street,
        company.city,
        company.region,
        company.postal_code,
        company.country,
        home_country=company.country,
    )
    return Sender(name=company.name, address=lines)


def render(kind: str, batch: Batch, company: Company, options: Options) -> bytes:
    """One print file for the batch. Raises PrintError with a clear message when there is nothing
    to print or an option is unknown."""
    if kind not in KINDS:
        raise PrintError(f"Unknown print file “{kind}”: use one of {', '.join(KINDS)}.")
    options.check()
    return render_file(
        kind,
        batch.items,
        sender_of(company),
        **asdict(options.resolved(company.country)),
        style=batch.style,
        warnings=batch.warnings,
    )


@dataclass(frozen=True)
class Printed:
    """One print file of ``render_all``: its bytes, or the PrintError that stopped it."""

    kind: str
    data: bytes = b""
    error: PrintError | None = None
    warnings: list[str] = field(default_factory=list)


def render_all(
    kinds: Sequence[str], batch: Batch, company: Company, options: Options
) -> list[Printed]:
    """Several print files of the batch at once, in the order asked. Each is compiled in its own
    thread: Typst lets go of Python's lock while it lays out and writes a PDF, so the cards PDF
    and the envelopes and labels share the machine's cores. Each file is the same bytes as
    ``render`` makes alone. A file that cannot be made carries its PrintError; the others print."""
    for kind in kinds:
        if kind not in KINDS:
            raise PrintError(f"Unknown print file “{kind}”: use one of {', '.join(KINDS)}.")
    options.check()
    resolved = asdict(options.resolved(company.country))
    sender = sender_of(company)

    def one(kind: str) -> Printed:
        warnings: list[str] = []
        try:
            data = render_file(
                kind, batch.items, sender, **resolved, style=batch.style, warnings=warnings
            )
        except PrintError as error:
            return Printed(kind, error=error, warnings=warnings)
        return Printed(kind, data=data, warnings=warnings)

    # The cards PDF first: the longest, so the others share the second core meanwhile.
    order = sorted(kinds, key=lambda kind: KINDS.index(kind))
    with ThreadPoolExecutor(max_workers=max(1, min(len(order), os.cpu_count() or 1))) as pool:
        done = dict(zip(order, pool.map(one, order), strict=True))
    return [done[kind] for kind in kinds]


def filename(kind: str, start: dt.date, end: dt.date) -> str:
    suffix = "csv" if kind == "csv" else "pdf"
    return f"cards-{kind}-{start.isoformat()}-{end.isoformat()}.{suffix}"
