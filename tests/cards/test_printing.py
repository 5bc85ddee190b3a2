"""Print files read back as a user (or a mailing house) would see them."""

import csv
import io
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from pypdf import PageObject, PdfReader

from extramile.cards.printing import (
    PrintCard,
    PrintError,
    Sender,
    Style,
    cards_csv,
    cards_pdf,
    envelopes_pdf,
    labels_pdf,
)

MARKUP = "#set text(red) $x$ *bold* <b> =1+1 @ref // not a comment"
UNICODE = "Zoë Müller-Łukasz"


def card(recipient: str = "Anna Smith", **changes: Any) -> PrintCard:
    base = PrintCard(
        recipient=recipient,
        address=["42 Elm Street", "Springfield IL 62704"],
        occasion="Happy birthday",
        message=f"Dear {recipient.split()[0]},\n\nHave a wonderful day!",
        handwritten=False,
        signature="Olivia Park",
        reference="C-1042",
    )
    return replace(base, **changes)


def pages(pdf: bytes) -> list[PageObject]:
    return list(PdfReader(io.BytesIO(pdf)).pages)


def texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pages(pdf)]


def flat(text: str) -> str:
    """Text with line wrapping undone."""
    return " ".join(text.split())


def size(page: PageObject) -> tuple[float, float]:
    return round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)


def positions(page: PageObject) -> dict[str, tuple[float, float]]:
    """Each text run's position (x from the left, y from the bottom), in points."""
    found: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.setdefault(text.strip(), (x, y))

    page.extract_text(visitor_text=visit)
    return found


# --- Cards ------------------------------------------------------------------------------------


def test_one_letter_page_per_card_with_its_own_words() -> None:
    batch = [
        card("Anna Smith", reference="C-1"),
        card("Ben Jones", message="Thanks for a great year.", reference="C-2"),
        card("Chloe Lee", occasion="Season's greetings", reference="C-3"),
    ]
    pdf = cards_pdf(batch)
    assert [size(page) for page in pages(pdf)] == [(612, 792)] * 3
    first, second, third = texts(pdf)
    assert "Dear Anna," in first and "Have a wonderful day!" in first
    assert "Olivia Park" in first and "Happy birthday" in first
    # The card is not a memo: no internal reference and no envelope name on it (CSV, envelope).
    assert "C-1" not in first and "Anna Smith" not in first
    assert "Thanks for a great year." in second
    assert "Season's greetings" in third and "Anna" not in third


def test_a4_paper() -> None:
    assert [size(page) for page in pages(cards_pdf([card()], paper="a4"))] == [(595.28, 841.89)]


def test_folded_layout_is_landscape_with_the_message_on_the_right_half() -> None:
    pdf = cards_pdf([card(), card("Ben Jones")], layout="folded")
    # Two pages a card, printed double-sided: the outside, then the inside.
    assert [size(page) for page in pages(pdf)] == [(792, 612)] * 4
    inside = positions(pages(pdf)[1])
    assert inside["Have a wonderful day!"][0] > 792 / 2
    assert inside["Olivia Park"][0] > 792 / 2
    # The inside's left panel carries the design's ornament only: no stray greeting, no reference.
    assert all(x > 792 / 2 for x, _y in inside.values()), inside
    assert "Happy birthday" not in texts(pdf)[1] and "C-1042" not in texts(pdf)[1]


def test_the_folded_cards_front_has_the_greeting_and_the_back_only_the_company() -> None:
    style = Style(company="Park Motors")
    pdf = cards_pdf([card(), card("Ben Jones", occasion="Season's greetings")], layout="folded",
                    style=style)  # fmt: skip
    outside = positions(pages(pdf)[0])
    assert set(outside) == {"Happy birthday", "Park Motors"}, outside
    assert outside["Happy birthday"][0] > 792 / 2  # the front: the right half
    assert outside["Park Motors"][0] < 792 / 2  # the back: the left half
    assert set(positions(pages(pdf)[2])) == {"Season's greetings", "Park Motors"}
    # Nothing internal and nobody's name on either side of the sheet.
    for text in texts(pdf):
        assert "C-1042" not in text and "Anna Smith" not in text and "Ben Jones" not in text
    assert flat(texts(pdf)[3]).startswith("Dear Ben,")


def test_markup_in_names_and_messages_prints_literally() -> None:
    tricky = card(MARKUP, message=f"{MARKUP}\n<script>alert(1)</script>", signature="$signed$")
    for pdf in [cards_pdf([tricky]), cards_pdf([tricky], layout="folded")]:
        text = flat(" ".join(texts(pdf)))
        assert MARKUP in text and "<script>alert(1)</script>" in text and "$signed$" in text
    assert MARKUP in texts(envelopes_pdf([tricky]))[0]
    assert MARKUP in texts(labels_pdf([tricky]))[0]


def test_unicode_names_print() -> None:
    greek = card(UNICODE, message="Χρόνια πολλά, Σοφία! Straße, café, Łódź.")
    _outside, text = texts(cards_pdf([greek], layout="folded"))
    assert "Χρόνια πολλά, Σοφία!" in text and "Straße, café, Łódź." in text
    assert UNICODE in texts(envelopes_pdf([greek]))[0]
    assert UNICODE in texts(labels_pdf([greek]))[0]


def test_message_line_breaks_are_kept() -> None:
    (text,) = texts(cards_pdf([card(message="Line one\nLine two\n\nNew paragraph")]))
    assert "Line one\nLine two\nNew paragraph" in text


def test_handwritten_cards_have_no_card_page_but_keep_envelope_and_label() -> None:
    batch = [
        card("Anna Smith"),
        card("Ben Jones", handwritten=True, message="typed by mistake"),
        card("Chloe Lee"),
    ]
    printed = texts(cards_pdf(batch))
    assert len(printed) == 2
    assert not any("Ben Jones" in text or "typed by mistake" in text for text in printed)
    envelopes = texts(envelopes_pdf(batch))
    assert len(envelopes) == 3 and "Ben Jones" in envelopes[1]
    assert "Ben Jones" in texts(labels_pdf(batch))[0]


def test_only_handwritten_cards_is_an_error() -> None:
    with pytest.raises(PrintError, match="handwritten"):
        cards_pdf([card(handwritten=True)])


def test_cards_without_an_address_still_print_as_cards() -> None:
    assert len(pages(cards_pdf([card(address=[]), card()]))) == 2


@pytest.mark.parametrize("layout", ["page", "folded"])
@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_a_1500_character_message_stays_on_one_page(layout: str, paper: str) -> None:
    words = "Thank you for your loyalty and your kind words over all these years together. "
    long = (words * 20)[:1450] + " The very end."
    assert len(long) >= 1460
    batch = [card("Anna Smith"), card("Ben Jones", message=long), card("Chloe Lee")]
    printed = texts(cards_pdf(batch, layout=layout, paper=paper))
    if layout == "folded":
        printed = printed[1::2]  # the insides (each after its outside)
    assert len(printed) == 3
    assert "The very end." in printed[1] and "Olivia Park" in printed[1]
    assert "Chloe Lee" not in printed[1]


def test_a_message_of_many_short_lines_stays_on_one_page() -> None:
    lines = "\n".join(f"Line {n}" for n in range(1, 31))
    printed = texts(cards_pdf([card(message=lines), card("Ben Jones")]))
    assert len(printed) == 2 and "Line 30" in printed[0]


def test_wide_capitals_that_fool_the_estimate_still_fit_on_one_page() -> None:
    wide = "WOMBAT MEMORIAL " * 90
    printed = texts(cards_pdf([card(message=wide), card("Ben Jones")], layout="folded"))
    assert len(printed) == 4 and "WOMBAT" in printed[1] and "WOMBAT" not in printed[2]
    assert "Olivia Park" in printed[1]


def test_a_message_too_long_for_any_size_is_an_error_naming_the_card() -> None:
    with pytest.raises(PrintError, match=r"does not fit.*C-77 \(Anna Smith\)"):
        cards_pdf([card(), card(message="word " * 4000, reference="C-77")])


# --- Envelopes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("envelope", "expected"),
    [("no10", (684, 297)), ("c6", (459.21, 323.15)), ("a7", (522, 378))],
)
def test_envelope_sizes(envelope: str, expected: tuple[float, float]) -> None:
    assert [size(page) for page in pages(envelopes_pdf([card()], size=envelope))] == [expected]


def test_one_envelope_per_addressed_card_sender_top_left_recipient_right() -> None:
    sender = Sender("Acme Gifts", ["1 Market Square", "Boston MA 02108"])
    batch = [card("Anna Smith"), card("Ben Jones", address=[]), card("Chloe Lee")]
    pdf = envelopes_pdf(batch, sender=sender)
    printed = texts(pdf)
    assert len(printed) == 2  # Ben has no address: left off
    assert "Chloe Lee" in printed[1] and "Ben Jones" not in "".join(printed)
    where = positions(pages(pdf)[0])
    width, height = size(pages(pdf)[0])
    sender_x, sender_y = where["Acme Gifts"]
    to_x, to_y = where["Anna Smith"]
    assert sender_x < width * 0.1 and sender_y > height * 0.8
    assert width * 0.35 < to_x < width * 0.6 and to_y < height * 0.6
    assert where["Springfield IL 62704"][1] > 0.625 * 72  # clear of the barcode zone


def test_envelopes_without_sender() -> None:
    (text,) = texts(envelopes_pdf([card()]))
    assert "Anna Smith" in text and "Acme" not in text


def test_a_long_address_shrinks_to_fit_the_envelope() -> None:
    address = [f"Building {n}, Long Industrial Estate Road" for n in range(1, 7)]
    address += ["Springfield IL 62704", "UNITED STATES"]
    (text,) = texts(envelopes_pdf([card(address=address)]))
    assert all(line in text for line in address)


# --- Labels -------------------------------------------------------------------------------------


def numbered(count: int) -> list[PrintCard]:
    return [card(f"Person {n:02d}", reference=f"C-{n}") for n in range(1, count + 1)]


def test_avery5160_has_30_labels_a_letter_page() -> None:
    assert len(pages(labels_pdf(numbered(30)))) == 1
    sheets = pages(labels_pdf(numbered(31)))
    assert [size(page) for page in sheets] == [(612, 792)] * 2
    assert "Person 31" in sheets[1].extract_text() and "Person 30" not in sheets[1].extract_text()


def test_l7160_has_21_labels_an_a4_page() -> None:
    assert len(pages(labels_pdf(numbered(21), sheet="l7160"))) == 1
    sheets = pages(labels_pdf(numbered(22), sheet="l7160"))
    assert [size(page) for page in sheets] == [(595.28, 841.89)] * 2
    assert "Person 22" in sheets[1].extract_text()


def test_labels_fill_row_by_row_on_the_sheet_grid() -> None:
    where = positions(pages(labels_pdf(numbered(4)))[0])
    (x1, y1), (x2, y2), (x3, y3), (x4, y4) = (where[f"Person {n:02d}"] for n in range(1, 5))
    assert x1 < x2 < x3 and y1 == y2 == y3  # first row, left to right
    assert x4 == x1 and y1 - y4 == pytest.approx(72, abs=1)  # second row: one inch lower
    assert 0.1875 * 72 < x1 < 0.1875 * 72 + 20  # inside the first column
    assert 792 - 0.5 * 72 - 72 < y1 < 792 - 0.5 * 72  # inside the first row
    assert x2 - x1 == pytest.approx((2.625 + 0.125) * 72, abs=0.5)


def test_labels_show_name_and_address_lines_and_skip_cards_without_address() -> None:
    batch = [card("Anna Smith"), card("Ben Jones", address=[]), card("Chloe Lee")]
    (text,) = texts(labels_pdf(batch))
    assert "Anna Smith\n42 Elm Street\nSpringfield IL 62704" in text
    assert "Chloe Lee" in text and "Ben Jones" not in text


def test_a_long_address_shrinks_to_fit_the_label() -> None:
    address = ["Acme Gifts Ltd, Purchasing Department", "Building 4, Floor 2", "1 High Street"]
    address += ["LONDON", "SW1A 1AA", "UNITED KINGDOM"]
    (text,) = texts(labels_pdf([card(address=address)]))
    assert all(line in text for line in address)


def test_an_address_too_long_for_a_label_is_an_error() -> None:
    with pytest.raises(PrintError, match=r"does not fit on a label.*C-9"):
        labels_pdf([card(address=[f"Line {n}" for n in range(40)], reference="C-9")])


# --- Errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: cards_pdf([card()], layout="poster"),
            "Unknown layout “poster”: use one of folded, page",
        ),
        (
            lambda: cards_pdf([card()], paper="legal"),
            "Unknown paper “legal”: use one of letter, a4",
        ),
        (lambda: envelopes_pdf([card()], size="dl"), "Unknown envelope size “dl”"),
        (lambda: labels_pdf([card()], sheet="avery5163"), "Unknown label sheet “avery5163”"),
        (lambda: cards_pdf([]), "no cards to print"),
        (lambda: envelopes_pdf([]), "no cards to print"),
        (lambda: labels_pdf([]), "no cards to print"),
        (lambda: envelopes_pdf([card(address=[])]), "None of the 1 cards has a postal address"),
        (lambda: labels_pdf([card(address=["", " "])]), "None of the 1 cards has a postal address"),
    ],
)
def test_print_errors_say_what_is_wrong(make: Callable[[], object], message: str) -> None:
    with pytest.raises(PrintError, match=message):
        make()


def test_print_error_is_a_value_error() -> None:
    assert issubclass(PrintError, ValueError)


# --- CSV ----------------------------------------------------------------------------------------


def read_csv(batch: list[PrintCard]) -> list[dict[str, str]]:
    out = io.StringIO()
    cards_csv(batch, out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_csv_header_and_rows() -> None:
    out = io.StringIO()
    cards_csv([card(), card("Ben Jones", handwritten=True, message="")], out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == [
        "reference",
        "recipient",
        "address_1",
        "address_2",
        "address_3",
        "address_4",
        "address_5",
        "occasion",
        "message",
        "handwritten",
        "signature",
    ]
    assert rows[1] == [
        "C-1042",
        "Anna Smith",
        "42 Elm Street",
        "Springfield IL 62704",
        "",
        "",
        "",
        "Happy birthday",
        "Dear Anna,\n\nHave a wonderful day!",
        "no",
        "Olivia Park",
    ]
    assert rows[2][1] == "Ben Jones" and rows[2][8:10] == ["", "yes"]


def test_csv_guards_against_formula_injection() -> None:
    (row,) = read_csv(
        [
            card(
                '=HYPERLINK("http://evil.example","click")',
                address=["+1 Main St", "-5 Elm", "@SUM(A1)", "\tTabbed"],
                message="\rcarriage",
                signature="Olivia = Park",
            )
        ]
    )
    assert row["recipient"] == '\'=HYPERLINK("http://evil.example","click")'
    assert [row[f"address_{n}"] for n in range(1, 5)] == [
        "'+1 Main St",
        "'-5 Elm",
        "'@SUM(A1)",
        "'\tTabbed",
    ]
    assert row["message"] == "'\rcarriage"
    assert row["signature"] == "Olivia = Park"


def test_csv_joins_address_lines_beyond_the_fifth() -> None:
    (row,) = read_csv([card(address=[f"L{n}" for n in range(1, 8)])])
    assert [row[f"address_{n}"] for n in range(1, 6)] == ["L1", "L2", "L3", "L4", "L5, L6, L7"]


def test_csv_of_unicode_and_markup_round_trips() -> None:
    (row,) = read_csv([card(UNICODE, message=MARKUP[1:])])
    assert row["recipient"] == UNICODE and row["message"] == MARKUP[1:]
