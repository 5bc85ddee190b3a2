"""Every script prints with its own glyphs: CJK, Arabic and Hebrew names read back from the PDF,
right-to-left messages are laid out right to left, a script without a font is left out with a
warning naming it, and every font shipped or used covers the scripts promised."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from fontTools.ttLib import TTCollection, TTFont
from pypdf import PdfReader

from extramile.cards import fonts
from extramile.cards.printing import PrintCard, PrintError, cards_pdf, envelopes_pdf, labels_pdf

NAMES = {"Hani": "王小明", "Arab": "محمد العلي", "Hebr": "דוד כהן"}
SYSTEM = all(fonts.font_file(script) for script in fonts.SCRIPTS)
needs_system_fonts = pytest.mark.skipif(
    not SYSTEM,
    reason="the Noto system fonts are not installed (Debian: fonts-noto-core fonts-noto-cjk)",
)


def card(recipient: str, message: str = "", **changes) -> PrintCard:
    base = PrintCard(
        recipient=recipient,
        address=["42 Elm Street", "Springfield IL 62704"],
        occasion="Happy birthday",
        message=message or f"Dear {recipient},\n\nHave a wonderful day!",
        handwritten=False,
        signature="Olivia Park",
        reference="C-7",
    )
    return replace(base, **changes)


def text_of(pdf: bytes) -> str:
    found = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return unicodedata.normalize("NFKC", found)


def fonts_of(pdf: bytes) -> set[str]:
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def same_letters(a: str, b: str) -> bool:
    """Arabic and Hebrew may come back in visual order: compare words either way round."""
    words = set(b.split())
    return all(w in words or w[::-1] in words or w in b for w in a.split())


@needs_system_fonts
@pytest.mark.parametrize("script", sorted(NAMES))
def test_a_name_in_each_script_reads_back_from_every_print_file(script):
    name = NAMES[script]
    batch = [card(name), card("Anna Smith")]
    for pdf in (cards_pdf(batch), envelopes_pdf(batch), labels_pdf(batch)):
        assert same_letters(name, text_of(pdf)), text_of(pdf)
    used = fonts_of(cards_pdf(batch))
    family = fonts.SCRIPTS[script].family.replace(" ", "").split("CJK")[0]
    # Libertinus Serif (first in the list) has Hebrew itself; CJK and Arabic need Noto.
    assert any(family in f or ("Libertinus" in f and script == "Hebr") for f in used), used


@needs_system_fonts
def test_a_latin_batch_loads_no_system_font():
    assert fonts.scripts_of("Zoë Müller-Łukasz, Χρόνια πολλά, Пётр") == set()
    assert not any("Noto" in f for f in fonts_of(cards_pdf([card("Anna Smith")])))


@needs_system_fonts
def test_a_right_to_left_message_is_laid_out_right_to_left():
    hebrew = card("דוד כהן", message="שלום דוד,\n\nיום הולדת שמח!", signature="אוליביה")
    english = card("Anna Smith", message="Hello Anna,\n\nHave a good day!")
    pdf = cards_pdf([hebrew, english], layout="folded")
    pages = PdfReader(io.BytesIO(pdf)).pages
    width = float(pages[0].mediabox.width)

    def ends(page) -> list[float]:
        xs: list[float] = []

        def visit(text, cm, tm, *_):
            if text.strip():
                xs.append(tm[4] * cm[0] + cm[4])

        page.extract_text(visitor_text=visit)
        return xs

    hebrew_x, english_x = ends(pages[1]), ends(pages[3])  # the insides
    # Right-aligned lines start further right than the left-aligned ones on the same half.
    assert min(hebrew_x) > min(english_x) + 40, (hebrew_x, english_x)
    assert all(x > width / 2 for x in hebrew_x)


def test_a_script_without_a_font_is_left_out_with_a_warning(monkeypatch):
    monkeypatch.setattr(fonts, "font_file", lambda script: None)
    warnings: list[str] = []
    pdf = cards_pdf([card("สมชาย ใจดี"), card("Anna Smith")], warnings=warnings)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert warnings == [
        "Left out 1 card(s): no font for Thai is installed (Debian: fonts-noto-core): "
        "C-7 (สมชาย ใจดี)."
    ]
    with pytest.raises(PrintError, match="no font for Thai is installed"):
        cards_pdf([card("สมชาย ใจดี")])


def cmap_of(path: Path, family: str | None = None) -> set[int]:
    if path.suffix == ".ttc":
        for font in TTCollection(str(path)).fonts:
            if family is None or font["name"].getDebugName(1) == family:
                return set(font.getBestCmap())
        raise AssertionError(f"{family} is not in {path}")
    return set(TTFont(str(path)).getBestCmap())


def test_the_shipped_handwriting_font_covers_the_card_languages():
    assert (fonts.SHIPPED / "OFL.txt").read_text().count("SIL OPEN FONT LICENSE") == 1
    cmap = cmap_of(fonts.HANDWRITING_FILE)
    sample = (
        "Happy birthday! Alles Gute, Zoë. Joyeux Noël, ça va? ¡Feliz año, señor! ÄÖÜß àâçéèêëîïôûù"
    )
    assert {c for c in sample if ord(c) not in cmap} == set()


@needs_system_fonts
@pytest.mark.parametrize("script", sorted(fonts.SCRIPTS))
def test_every_system_font_used_covers_its_script(script):
    font = fonts.SCRIPTS[script]
    path = fonts.font_file(script)
    assert path is not None
    cmap = cmap_of(path, font.family if path.suffix == ".ttc" else None)
    letters = [c for c in font.sample if not c.isspace()]
    assert [c for c in letters if ord(c) not in cmap] == []
    assert {fonts._script(c) for c in letters} & {script, "Hani"}


THAI_WARNING = "no font for Thai is installed (Debian: fonts-noto-core)"


@pytest.fixture
def thai_batch(owner, monkeypatch):
    """A written Thai card and an English one, on a machine without a Thai font."""
    import datetime as dt

    from extramile.cards.models import Card, CardStatus, Occasion
    from extramile.cards.planning import plan_cards
    from tests.conftest import NOW, make_customer

    address = {"street": "1 Main St", "city": "Springfield", "region": "IL",
               "postal_code": "62704", "country": "US"}  # fmt: skip
    make_customer(owner, "สมชาย", "ใจดี", birth_month=12, birth_day=10, **address)
    make_customer(owner, "Anna", "Smith", birth_month=12, birth_day=11, **address)
    plan_cards(dt.date(2026, 11, 30), dt.date(2026, 12, 6), NOW,
               occasions=Occasion.objects.filter(code="birthday"))  # fmt: skip
    Card.objects.update(status=CardStatus.WRITTEN, message="Dear you,\n\nThe sailing, at last!")
    real = fonts.font_file
    monkeypatch.setattr(fonts, "font_file", lambda s: None if s == "Thai" else real(s))
    return Card.objects.order_by("id")


def test_the_cli_names_the_missing_script_and_prints_the_rest(thai_batch, tmp_path):
    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    pdf, labels = tmp_path / "cards.pdf", tmp_path / "labels.pdf"
    call_command("cards", "--from", "2026-11-30", "--to", "2026-12-06", "--pdf", str(pdf),
                 "--labels", str(labels), stdout=out, stderr=err)  # fmt: skip
    thai = thai_batch.first()
    warning = f"Warning: Left out 1 card(s): {THAI_WARNING}: C-{thai.pk} (สมชาย ใจดี)."
    assert err.getvalue().splitlines() == [warning, warning]  # one per file it is left out of
    assert len(PdfReader(pdf).pages) == 1 and "Anna Smith" in text_of(labels.read_bytes())


def test_the_cards_page_names_the_missing_script(thai_batch, client, owner):
    from tests.conftest import PASSWORD

    client.login(username=owner.username, password=PASSWORD)
    url = "/cards/download/cards/?from=2026-11-30&to=2026-12-06"
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    page = client.get("/cards/?from=2026-11-30&to=2026-12-06").content.decode()
    assert THAI_WARNING in page and "สมชาย ใจดี" in page
