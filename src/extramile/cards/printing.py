"""Print files for a batch of cards: the cards themselves, envelopes, label sheets and a CSV.

Each PDF is one Typst document compiled once for the whole batch. Card data reaches the templates
in ``typst/`` only as JSON through ``sys_inputs`` and is shown as plain strings, so whatever a name
or message holds (``#``, ``$``, ``*``, ``<b>``) prints literally. Only the fonts embedded in typst
are used (Libertinus Serif first), so output is the same on every machine.

Text that could overflow (a message on a card, an address on an envelope or label) gets a font
size estimated here. After layout, markers in the document tell which items still overflow; those
are laid out again with the largest size Typst measures to fit, and if even the smallest size does
not fit a ``PrintError`` names them. Nothing is cut off or spills onto another page silently.
"""

from __future__ import annotations

import csv
import io
import json
import re
import typing
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import typst

from extramile.cards import fonts
from extramile.spreadsheet import safe_cell

TEMPLATES = Path(__file__).parent / "typst"
# Extra font folders beyond the shipped handwriting font and the system's Noto fonts (fonts.py).
FONT_DIRS: list[Path] = []
DESIGNS = ("classic", "confetti", "evergreen", "rings", "botanical")

LAYOUTS = ("folded", "page")
PAPERS = ("letter", "a4")
ENVELOPES = ("c6", "a7", "no10")
SHEETS = ("avery5160", "l7160")

INCH = 72.0
MM = 72.0 / 25.4

# Page sizes in points, portrait.
PAPER_SIZES = {"letter": (612.0, 792.0), "a4": (595.28, 841.89)}
# Envelope sizes in points, landscape (as addressed).
ENVELOPE_SIZES = {
    "c6": (162 * MM, 114 * MM),
    "a7": (7.25 * INCH, 5.25 * INCH),
    "no10": (9.5 * INCH, 4.125 * INCH),
}

# Font sizes (pt) tried from largest to smallest.
CARD_SIZES = (13.0, 12.5, 12.0, 11.5, 11.0, 10.5, 10.0, 9.5, 9.0, 8.5, 8.0)
FOLDED_SIZES = (14.0, 13.0, 12.5, *CARD_SIZES[2:])
ENVELOPE_FONT_SIZES = (12.0, 11.5, 11.0, 10.5, 10.0, 9.5, 9.0, 8.5, 8.0)
LABEL_SIZES = (11.0, 10.5, 10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0)

# Estimates for Libertinus Serif, in ems (measured: lower case 0.47, capitals 0.62, space 0.25),
# and the height of one line with the templates' 0.6em leading.
CHAR_EM = 0.52
CAPITAL_EM = 0.68
SPACE_EM = 0.25
LINE_EM = 1.3
PARAGRAPH_EM = 0.5  # paragraph spacing beyond leading
SAFETY = 0.96

CSV_ADDRESS_COLUMNS = 5
CSV_HEADER = [
    "reference",
    "recipient",
    *(f"address_{n}" for n in range(1, CSV_ADDRESS_COLUMNS + 1)),
    "occasion",
    "message",
    "handwritten",
    "signature",
]

# After layout: the items whose end lies on another page than their start or below their bottom.
OVERFLOW_QUERY = """{
  let starts = query(<fit-start>).map(m => m.location().page())
  query(<fit-end>).filter(m => m.location().page() != starts.at(m.value.i)
    or m.location().position().y > m.value.bottom + 0.01pt).map(m => m.value.i)
}"""


class PrintError(ValueError):
    """A print file cannot be made: an unknown option, nothing to print, or text that does not
    fit. The message is meant for the user."""


@dataclass(frozen=True)
class PrintCard:
    recipient: str
    address: list[str]  # formatted lines without the name; [] when unknown
    occasion: str
    message: str
    handwritten: bool
    signature: str
    reference: str = ""
    design: str = "classic"
    language: str = "en"
    title: str = ""  # the rep's title, under the signature
    sign_off: str = ""  # above the signature, when the message has none of its own
    sender: tuple[str, ...] = ()  # the return address (the rep and the company); () = the batch's


@dataclass(frozen=True)
class Style:
    """The company's branding on the cards: colours, a logo (PNG bytes), the handwriting font."""

    primary: str = "#1f4e79"
    accent: str = "#c8a951"
    logo: bytes | None = None
    handwriting: bool = False
    company: str = ""  # on the back of a folded card

    def data(self) -> dict[str, typing.Any]:
        """As JSON for the templates: the logo's bytes as a list of numbers (JSON has no bytes)."""
        return {**asdict(self), "logo": list(self.logo) if self.logo else None}


@dataclass(frozen=True)
class Sender:
    name: str
    address: list[str]

    def lines(self) -> list[str]:
        return [line for line in (self.name, *self.address) if line.strip()]


@dataclass(frozen=True)
class Sheet:
    """A label sheet; lengths in points."""

    paper: str
    columns: int
    rows: int
    width: float
    height: float
    top: float
    side: float
    column_gap: float
    row_gap: float = 0.0
    inset_x: float = 8.0
    inset_y: float = 4.0


SHEET_SPECS = {
    # Avery 5160 on Letter: 3 x 10 labels of 2.625 x 1 in.
    "avery5160": Sheet(
        paper="letter",
        columns=3,
        rows=10,
        width=2.625 * INCH,
        height=1 * INCH,
        top=0.5 * INCH,
        side=0.1875 * INCH,
        column_gap=0.125 * INCH,
        inset_x=0.15 * INCH,
    ),
    # Avery L7160 on A4: 3 x 7 labels of 63.5 x 38.1 mm.
    "l7160": Sheet(
        paper="a4",
        columns=3,
        rows=7,
        width=63.5 * MM,
        height=38.1 * MM,
        top=15.15 * MM,
        side=7.2 * MM,
        column_gap=2.5 * MM,
        inset_y=5.0,
    ),
}


# --- Checks -------------------------------------------------------------------------------------


def _check_option(value: str, allowed: Sequence[str], what: str) -> None:
    if value not in allowed:
        raise PrintError(f"Unknown {what} “{value}”: use one of {', '.join(allowed)}.")


def _check_some(cards: Sequence[PrintCard]) -> None:
    if not cards:
        raise PrintError("There are no cards to print.")


def _addressed(cards: Sequence[PrintCard]) -> list[PrintCard]:
    """The cards with a postal address; PrintError when none has one."""
    _check_some(cards)
    addressed = [card for card in cards if any(line.strip() for line in card.address)]
    if not addressed:
        raise PrintError(f"None of the {len(cards)} cards has a postal address.")
    return addressed


def _describe(card: PrintCard) -> str:
    return f"{card.reference} ({card.recipient})" if card.reference else card.recipient


# --- Size estimates -----------------------------------------------------------------------------


def _line_em(text: str) -> float:
    """Estimated width of one unbroken line of text, in ems."""
    return sum(SPACE_EM if ch == " " else CAPITAL_EM if ch.isupper() else CHAR_EM for ch in text)


def _wrapped_lines(text: str, width_em: float) -> int:
    """Estimated number of lines ``text`` (no newlines) takes in a column ``width_em`` wide."""
    lines, used = 1, 0.0
    for word in text.split():
        word_em = len(word) * CHAR_EM
        if used and used + SPACE_EM + word_em > width_em:
            lines, used = lines + 1, 0.0
        used += (SPACE_EM if used else 0.0) + word_em
    return lines


def _text_height(paragraphs: Sequence[str], size: float, width: float) -> float:
    """Estimated height in points of paragraphs (with line breaks) at ``size`` in ``width``."""
    width_em = width * SAFETY / size
    lines = sum(_wrapped_lines(line, width_em) for p in paragraphs for line in p.split("\n"))
    return size * (lines * LINE_EM + max(len(paragraphs) - 1, 0) * PARAGRAPH_EM)


def _largest(sizes: Sequence[float], fits: Callable[[float], bool]) -> float:
    """The largest size that ``fits``, else the smallest (the overflow check has the last word)."""
    return next((size for size in sizes if fits(size)), sizes[-1])


def _lines_size(lines: Sequence[str], sizes: Sequence[float], width: float, height: float) -> float:
    """The largest size at which address lines fit unwrapped in a box of width x height."""
    widest = max((_line_em(line) for line in lines), default=0.0)
    tallest = len(lines) * LINE_EM
    return _largest(
        sizes, lambda s: widest * s <= width * SAFETY and tallest * s <= height * SAFETY
    )


# --- Rendering ----------------------------------------------------------------------------------


def _texts(card: PrintCard) -> str:
    parts = [card.recipient, *card.address, card.occasion, card.message, card.signature]
    return "\n".join([*parts, card.title, card.sign_off, *card.sender])


def printable(
    cards: Sequence[PrintCard], warnings: list[str] | None = None
) -> tuple[list[PrintCard], set[str]]:
    """The cards whose every script has a font, and the scripts they need. A card with text in a
    script no installed font covers is left out (it would print as empty boxes), with a warning
    that names the script, the package to install and the cards."""
    kept: list[PrintCard] = []
    scripts: set[str] = set()
    left_out: dict[str, list[PrintCard]] = {}
    for card in cards:
        needed = fonts.scripts_of(_texts(card))
        problems = fonts.missing(needed)
        if problems:
            for problem in problems:
                left_out.setdefault(problem, []).append(card)
            continue
        kept.append(card)
        scripts |= needed
    for problem, which in left_out.items():
        names = ", ".join(_describe(card) for card in which[:5])
        more = f" and {len(which) - 5} more" if len(which) > 5 else ""
        message = f"Left out {len(which)} card(s): {problem}: {names}{more}."
        if warnings is not None:
            warnings.append(message)
    if left_out and not kept:
        raise PrintError(" ".join(f"Nothing to print: {p}." for p in left_out))
    return kept, scripts


def _overflowing(
    template: str, payload: dict[str, typing.Any], scripts: set[str]
) -> tuple[typst.Compiler, list[int]]:
    """Lay the document out once; return the compiler (to export from) and overflowing items."""
    compiler = typst.Compiler(
        str(TEMPLATES / template),
        root=str(TEMPLATES),
        font_paths=[*fonts.folders(scripts), *(str(folder) for folder in FONT_DIRS)],
        ignore_system_fonts=True,
        sys_inputs={"data": json.dumps(payload)},
    )
    return compiler, json.loads(compiler.eval(OVERFLOW_QUERY, format="json"))


def _render(
    template: str,
    payload: dict[str, typing.Any],
    items: list[PrintCard],
    problem: str,
    scripts: set[str] | None = None,
    format: str = "pdf",
) -> bytes:
    """Compile ``template`` with ``payload`` (whose ``items`` match ``items``) to PDF bytes."""
    scripts = scripts if scripts is not None else printable(items)[1]
    payload["fonts"] = fonts.families(scripts)
    for item, card in zip(payload["items"], items, strict=True):
        item["dir"] = fonts.direction(card.message or card.recipient)
        item["lang"] = card.language
    compiler, overflowing = _overflowing(template, payload, scripts)
    if overflowing:
        for index in overflowing:
            payload["items"][index]["fit"] = True
        compiler, overflowing = _overflowing(template, payload, scripts)
    if overflowing:
        names = [_describe(items[index]) for index in overflowing]
        more = f" and {len(names) - 10} more" if len(names) > 10 else ""
        smallest = min(payload["sizes"])
        raise PrintError(f"{problem} even at {smallest:g} pt: {', '.join(names[:10])}{more}.")
    if format == "png":
        image = compiler.compile(format="png", ppi=60)
        return typing.cast(bytes, image[0] if isinstance(image, list) else image)
    return typing.cast(bytes, compiler.compile(format="pdf", pdf_tags=False))


def _paragraphs(message: str) -> list[str]:
    """A message as paragraphs (split at blank lines), each keeping its single line breaks."""
    text = message.replace("\r\n", "\n").replace("\r", "\n").strip()
    blocks = re.split(r"\n[ \t]*\n\s*", text) if text else []
    return ["\n".join(line.rstrip() for line in block.split("\n")) for block in blocks]


# --- Cards --------------------------------------------------------------------------------------


def _card_geometry(layout: str, paper: str) -> dict[str, float]:
    width, height = PAPER_SIZES[paper]
    if layout == "page":
        margin = 1 * INCH
        return {
            "page_width": width,
            "page_height": height,
            "left": margin,
            "right": margin,
            "top": margin,
            "bottom": margin,
            "width": width - 2 * margin,
            "height": height - 2 * margin,
            "band": 1.6 * INCH,
        }
    # Folded: landscape, the message on the right half.
    side, top, bottom = 0.7 * INCH, 1.1 * INCH, 0.9 * INCH
    return {
        "page_width": height,
        "page_height": width,
        "left": height / 2 + side,
        "right": side,
        "top": top,
        "bottom": bottom,
        "width": height / 2 - 2 * side,
        "height": width - top - bottom,
        "band": 0.0,
    }


def _card_height(
    card: PrintCard,
    paragraphs: list[str],
    layout: str,
    size: float,
    width: float,
    handwriting: bool = False,
) -> float:
    """Estimated height of a card's text at message size ``size``."""
    scale = 1.15 if handwriting else 1.0
    signature = [card.signature, card.sign_off, card.title]
    body = _text_height(paragraphs, size * scale, width)
    body += _text_height([s for s in signature if s], size * scale, width) + 1.2 * size
    if layout == "folded":
        return body
    return 1.6 * INCH + 0.35 * INCH + body


def _card_item(
    card: PrintCard, layout: str, geometry: dict[str, float], style: Style
) -> dict[str, typing.Any]:
    paragraphs = _paragraphs(card.message)
    sizes = FOLDED_SIZES if layout == "folded" else CARD_SIZES
    width, height = geometry["width"], geometry["height"] * SAFETY
    hand = style.handwriting
    size = _largest(
        sizes, lambda s: _card_height(card, paragraphs, layout, s, width, hand) <= height
    )
    return {
        "occasion": card.occasion,
        "message": paragraphs,
        "signature": card.signature,
        "sign_off": card.sign_off,
        "title": card.title,
        "design": card.design if card.design in DESIGNS else "classic",
        "size": size,
    }


def cards_pdf(
    cards: list[PrintCard],
    *,
    layout: str = "page",
    paper: str = "letter",
    style: Style | None = None,
    warnings: list[str] | None = None,
    format: str = "pdf",
) -> bytes:
    """The cards as one PDF, one page per card.

    ``page``: portrait, the design and the greeting at the top, then the message, the sign-off
    and the signature. ``folded``: a card folded once, two landscape pages a card, to print
    double-sided (flip on the short edge): the outside (the front on the right half: the design,
    the greeting, the logo; the back on the left half: the company's name in small print), then
    the inside (the message on the right half, a small ornament of the design on the left). Handwritten cards are skipped (their inside is written by hand; their envelopes
    and labels still print). Cards without an address print. A long message is set smaller (down
    to 8 pt) to stay on its page; PrintError if it still does not fit, if the list is empty, if
    every card is handwritten, or for an unknown layout or paper.
    """
    _check_option(layout, LAYOUTS, "layout")
    _check_option(paper, PAPERS, "paper")
    _check_some(cards)
    printed = [card for card in cards if not card.handwritten]
    if not printed:
        raise PrintError(
            f"All {len(cards)} cards are handwritten: there is no card page to print "
            "(their envelopes and labels still print)."
        )
    printed, scripts = printable(printed, warnings)
    style = style or Style()
    geometry = _card_geometry(layout, paper)
    payload = {
        "title": "Cards",
        "layout": layout,
        "geometry": geometry,
        "style": style.data(),
        "sizes": FOLDED_SIZES if layout == "folded" else CARD_SIZES,
        "items": [_card_item(card, layout, geometry, style) for card in printed],
    }
    problem = "The message does not fit on one card"
    return _render("cards.typ", payload, printed, problem, scripts, format)


# --- Envelopes ----------------------------------------------------------------------------------


def _envelope_geometry(size: str) -> dict[str, float]:
    width, height = ENVELOPE_SIZES[size]
    to_x, to_y = width * 0.42, height * 0.45
    return {
        "page_width": width,
        "page_height": height,
        "sender_x": 0.35 * INCH,
        "sender_y": 0.3 * INCH,
        "sender_width": width * 0.42 - 0.5 * INCH,
        "to_x": to_x,
        "to_y": to_y,
        "to_width": width - to_x - 0.4 * INCH,
        # Keep the bottom 5/8 in clear for the postal barcode.
        "to_bottom": height - 0.625 * INCH,
        "reference_y": 0.25 * INCH,
    }


def _address_item(
    card: PrintCard, sizes: Sequence[float], width: float, height: float
) -> dict[str, typing.Any]:
    lines = [line for line in (card.recipient, *card.address) if line.strip()]
    size = _lines_size(lines, sizes, width, height)
    sender = [line for line in card.sender if line.strip()] or None
    return {"lines": lines, "reference": card.reference, "size": size, "sender": sender}


def envelopes_pdf(
    cards: list[PrintCard],
    *,
    size: str = "no10",
    sender: Sender | None = None,
    warnings: list[str] | None = None,
) -> bytes:
    """One envelope per page (C6 162x114 mm, A7 7.25x5.25 in or #10 9.5x4.125 in, landscape):
    the sender top left, the recipient centred right, the reference in small print bottom left.

    Cards without an address are skipped (the caller reports them); handwritten cards print.
    PrintError for an unknown size, an empty list, no card with an address, or an address that
    does not fit even at 8 pt.
    """
    _check_option(size, ENVELOPES, "envelope size")
    printed, scripts = printable(_addressed(cards), warnings)
    geometry = _envelope_geometry(size)
    width, height = geometry["to_width"], geometry["to_bottom"] - geometry["to_y"]
    sender_lines = None
    if sender is not None:
        sender_lines = [line for line in (sender.name, *sender.address) if line.strip()]
    payload = {
        "title": "Envelopes",
        "geometry": geometry,
        "sender": sender_lines or None,
        "sizes": ENVELOPE_FONT_SIZES,
        "items": [_address_item(card, ENVELOPE_FONT_SIZES, width, height) for card in printed],
    }
    problem = "The address does not fit on the envelope"
    return _render("envelopes.typ", payload, printed, problem, scripts)


# --- Labels -------------------------------------------------------------------------------------


def _sheet_geometry(sheet: Sheet) -> dict[str, float]:
    page_width, page_height = PAPER_SIZES[sheet.paper]
    return {
        "page_width": page_width,
        "page_height": page_height,
        "columns": sheet.columns,
        "rows": sheet.rows,
        "width": sheet.width,
        "height": sheet.height,
        "top": sheet.top,
        "side": sheet.side,
        "column_gap": sheet.column_gap,
        "row_gap": sheet.row_gap,
        "inset_x": sheet.inset_x,
        "inset_y": sheet.inset_y,
    }


def labels_pdf(
    cards: list[PrintCard], *, sheet: str = "avery5160", warnings: list[str] | None = None
) -> bytes:
    """Address labels: recipient and address lines, filled row by row, as many sheets as needed.

    ``avery5160``: Letter, 30 labels (3 x 10, 2.625 x 1 in). ``l7160``: A4, 21 labels (3 x 7,
    63.5 x 38.1 mm). Cards without an address are skipped (the caller reports them); handwritten
    cards print. Long addresses are set smaller (down to 6 pt); PrintError if one still does not
    fit, for an unknown sheet, an empty list or no card with an address.
    """
    _check_option(sheet, SHEETS, "label sheet")
    printed, scripts = printable(_addressed(cards), warnings)
    spec = SHEET_SPECS[sheet]
    width, height = spec.width - 2 * spec.inset_x, spec.height - 2 * spec.inset_y
    payload = {
        "title": "Labels",
        "geometry": _sheet_geometry(spec),
        "sizes": LABEL_SIZES,
        "items": [_address_item(card, LABEL_SIZES, width, height) for card in printed],
    }
    return _render("labels.typ", payload, printed, "The address does not fit on a label", scripts)


# --- CSV ----------------------------------------------------------------------------------------


def _address_cells(address: list[str]) -> list[str]:
    """Exactly CSV_ADDRESS_COLUMNS cells; lines beyond the last column join it with ", "."""
    lines = [line for line in address if line.strip()]
    head, tail = lines[: CSV_ADDRESS_COLUMNS - 1], lines[CSV_ADDRESS_COLUMNS - 1 :]
    return [*head, ", ".join(tail), *[""] * (CSV_ADDRESS_COLUMNS - 1 - len(head))]


def cards_csv(cards: list[PrintCard], out: typing.TextIO) -> None:
    """The cards as CSV for a mailing house: a header, then one row per card with the columns
    reference, recipient, address_1 … address_5 (a sixth line onwards joins address_5 with ", "),
    occasion, message (line breaks kept), handwritten (``yes``/``no``) and signature.

    Cells starting with = + - @ tab or carriage return get a leading ``'`` so a spreadsheet shows
    them as text instead of running them. Open ``out`` with ``newline=""`` when it is a file.
    """
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for card in cards:
        row = [
            card.reference,
            card.recipient,
            *_address_cells(card.address),
            card.occasion,
            card.message,
            "yes" if card.handwritten else "no",
            card.signature,
        ]
        writer.writerow([safe_cell(value) for value in row])


def render_file(
    kind: str,
    items: list[PrintCard],
    sender: Sender | None,
    *,
    layout: str = "page",
    paper: str = "letter",
    envelope: str = "no10",
    sheet: str = "avery5160",
    style: Style | None = None,
    warnings: list[str] | None = None,
) -> bytes:
    """One print file of a batch: ``cards`` (handwritten cards left out), ``envelopes`` and
    ``labels`` (cards without an address left out) or ``csv`` (addressed cards). Plain data in,
    bytes out, so it can run in another process."""
    if kind == "cards":
        typed = [item for item in items if not item.handwritten]
        if not typed:
            raise PrintError("No written cards to print in this batch (handwritten ones excepted).")
        return cards_pdf(typed, layout=layout, paper=paper, style=style, warnings=warnings)
    addressed = [item for item in items if item.address]
    if not addressed:
        raise PrintError("No written card in this batch has a postal address.")
    if kind == "envelopes":
        return envelopes_pdf(addressed, size=envelope, sender=sender, warnings=warnings)
    if kind == "labels":
        return labels_pdf(addressed, sheet=sheet, warnings=warnings)
    if kind == "csv":
        out = io.StringIO()
        cards_csv(addressed, out)
        return out.getvalue().encode("utf-8-sig")
    raise PrintError(f"Unknown print file “{kind}”: use cards, envelopes, labels or csv.")
