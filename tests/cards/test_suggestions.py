"""Suggested lines are written, not pasted: every pattern of every language renders awkward notes
as one well-formed sentence, neighbouring cards start from different patterns, and the card's
language follows the customer (falling back to the company's)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from extramile.book.models import Fact, Sale
from extramile.cards import language, messages, writing
from extramile.cards.models import Card, CardBranding, CardTemplate, Occasion
from extramile.cards.planning import plan_cards
from tests.conftest import NOW, make_customer

WINDOW = (dt.date(2026, 11, 23), dt.date(2026, 12, 7))
LANGS = sorted(language.languages())
# A full stop after an initial or a short title ("J. Smith", "Dr. Rao") does not end a sentence.
ONE_SENTENCE_BREAK = re.compile(r"(?<![A-Z])(?<![A-Z][a-z])[.!?]\s+[A-ZÀ-ÞÄÖÜ¿¡]")


def assert_well_formed(sentence: str, context: str) -> None:
    """One sentence: capital start, one closing mark, no stray spaces, braces or brackets."""
    assert sentence == sentence.strip() and sentence, context
    assert sentence[0].isupper() or sentence[0] in "¿¡", context
    assert sentence[-1] in ".!?", context
    assert not ONE_SENTENCE_BREAK.search(sentence[:-1]), f"two sentences: {context}"
    assert "  " not in sentence and "{" not in sentence and "}" not in sentence, context
    assert not re.search(r"\s[,.]", sentence), context
    assert not re.search(r"[,;:]\s*[,;:.!?]", sentence), context
    assert not re.search(r"[.!?]{2,}", sentence), context
    assert sentence.count("(") == sentence.count(")"), context
    assert "()" not in sentence and "( " not in sentence and " )" not in sentence, context


WORD = st.from_regex(r"[A-Za-zÄÖÜäöüéèñß']{1,12}", fullmatch=True).filter(
    lambda w: any(c.isalpha() for c in w)
)
TAIL = st.sampled_from(["", ".", "!!!", "?", "...", ";", " .", " !", ":", "…", " -"])
VERB = st.sampled_from(["Sails", "Has", "Is", "Retired", "Just moved", "Watches", "Flies", "Got"])


@st.composite
def awkward_notes(draw: st.DrawFn) -> str:
    shape = draw(st.sampled_from(["plain", "caps", "one", "long", "verb", "two"]))
    words = draw(st.lists(WORD, min_size=1, max_size=40))
    if shape == "one":
        text = words[0]
    elif shape == "verb":
        text = f"{draw(VERB)} {' '.join(words[:8])}"
    elif shape == "two":
        text = f"{' '.join(words[:4])}. {' '.join(words[4:] or ['More'])}"
    else:
        text = " ".join(words)
    if shape == "long":
        text = (text + " " + " ".join(words) * 10)[:200]
    if shape == "caps":
        text = text.upper()
    return text + draw(TAIL)


@settings(max_examples=80, deadline=None)
@given(note=awkward_notes(), tag=WORD, name=WORD, purchase=awkward_notes())
def test_every_pattern_renders_an_awkward_note_as_one_sentence(note, tag, name, purchase):
    for code in LANGS:
        lang = language.get(code)
        slots = writing.fact_slots(note, ["interest", tag], lang)
        slots["name"] = name
        slots["purchase"] = writing.purchase_phrase(purchase, lang)
        for kind, patterns in lang.patterns.items():
            for pattern in patterns:
                line = writing.fill(pattern, slots)
                if line is None:  # a slot this note cannot fill ({you} for a noun phrase)
                    assert any(not slots.get(s) for s in writing.SLOT.findall(pattern))
                    continue
                assert_well_formed(line, f"{code}/{kind}: {pattern!r} with {note!r} → {line!r}")


@settings(max_examples=40, deadline=None)
@given(note=awkward_notes())
@example(note="Aa. More")  # a capitalised short word is not a title: the note ends at its stop
@example(note="Dr. Rao retired. Now sails")
@example(note="AAAS")  # found by CI: an acronym ending in s was taken for a verb ("you aaa")
@example(note="AAaS")  # found by hypothesis: capitals inside a word make it a name too
@example(note="Aaas")  # found by hypothesis: a verb's word comes back in its base form ("you aaa")
def test_a_note_always_gets_a_line_that_uses_its_words(note):
    lang = language.get("en")
    for category in ["hobby", "work", "vehicle", "life_event", "family", "other"]:
        line = writing.fact_line(note, category, [], lang, seed=0)
        assert_well_formed(line, f"{category}: {note!r} → {line!r}")
        tidy = writing.tidy(note, lang).lower()
        # The vehicle's general lines need no words of the note; the others carry some of them.
        # A verb comes back in the form that follows "you" ("Sails" → "you sail").
        if category != "vehicle":
            words = re.findall(r"[^\W\d_]+", tidy)
            endings = [(w[:-1], w[:-2], w[:-3] + "y") for w in words if w.endswith("s")]
            stems = [stem for forms in endings for stem in forms if len(stem) > 2]
            assert any(word in line.lower() for word in words + stems), line


@pytest.mark.parametrize(
    ("text", "category", "tags", "expected"),
    [
        ("Has a parrot that talks", "family", ["pets"], "you have a parrot that talks"),
        ("Retired after 30 years at the same firm", "life_event", ["retirement"],
         "you retired after 30 years at the same firm"),
        ("Runs half-marathons and is training for a full one", "hobby", [],
         "you run half-marathons and are training for a full one"),
        ("Bakes sourdough and shares loaves with the neighbours", "hobby", [],
         "you bake sourdough and share loaves with the neighbours"),
        ("Plays golf with her sister.", "hobby", [], "you play golf with your sister"),
        ("WATCHES EVERY MATCH!!!", "hobby", [], "you watch every match"),
    ],
)  # fmt: skip
def test_a_note_becomes_a_clause_about_the_reader(text, category, tags, expected):
    lang = language.get("en")
    slots = writing.fact_slots(text, tags, lang)
    assert slots["you"] == expected
    lines = {writing.fact_line(text, category, tags, lang, seed) for seed in range(6)}
    assert any(expected in line for line in lines)


def test_the_lines_the_issue_found_broken_now_read_as_english():
    lang = language.get("en")
    assert writing.purchase_phrase("Service plan, 3 years", lang) == "service plan"
    assert writing.purchase_phrase("Honda CR-V", lang) == "Honda CR-V"
    assert writing.purchase_phrase("New SUV", lang) == "new SUV"
    pets = {
        writing.fact_line("Has a parrot that talks", "family", ["pets"], lang, s) for s in range(3)
    }
    assert not any(": has" in line for line in pets)
    work = {
        writing.fact_line("Works in insurance", "work", ["industry"], lang, s) for s in range(4)
    }
    assert all("in retired" not in line for line in work)
    assert "I remember you telling me that you work in insurance" in " ".join(work)


def birthday_card(owner, first, last, day=10, **extra) -> Card:
    person = make_customer(owner, first, last, birth_month=12, birth_day=day, **extra)
    plan_cards(*WINDOW, NOW, occasions=Occasion.objects.filter(code="birthday"))
    return Card.objects.get(customer=person)


def test_neighbouring_cards_in_a_batch_do_not_repeat_a_line(owner):
    cards = [birthday_card(owner, f"N{i}", "Sailor", day=8 + i % 3) for i in range(4)]
    for card in cards:
        Fact.objects.create(
            customer=card.customer, text="Sails a small boat on weekends", category="hobby",
            tags="interest, sailing", pinned=True,
        )  # fmt: skip
    lines = [messages.suggestions(card, NOW)[0].line for card in cards]
    assert len(set(lines)) == len(lines), lines


def test_the_card_speaks_the_customers_language_or_the_companys(owner):
    german = birthday_card(owner, "Jonas", "Weber", language="de-AT")
    french = birthday_card(owner, "Chloé", "Martin", day=11, language="fr")
    unknown = birthday_card(owner, "Ana", "Silva", day=12, language="pt")
    assert messages.draft(german).startswith("Liebe(r) Jonas,")
    assert "joyeux anniversaire" in messages.draft(french)
    assert messages.draft(unknown).startswith("Dear Ana,")  # no Portuguese: the company's
    # A company writing in Spanish: its own wording (the occasions' templates) is for Spanish
    # customers and those without wording of their own; English customers get English.
    branding = CardBranding.get()
    branding.language = "es"
    branding.save()
    Occasion.objects.filter(code="birthday").update(template="¡Hola {preferred_name}!")
    unknown.occasion.refresh_from_db()
    assert messages.draft(unknown) == "¡Hola Ana!"
    english = birthday_card(owner, "Amy", "Lee", day=13, language="en")
    assert messages.draft(english).startswith("Dear Amy,")
    Fact.objects.create(customer=german.customer, text="Segelt am Wochenende", category="hobby",
                        tags="Segeln")  # fmt: skip
    line = messages.suggestions(german, NOW)[0].line
    assert "Segel" in line and line.startswith("Ich")
    greeting = messages.greeting_for(german.occasion, messages.card_language(german))
    assert greeting == "Alles Gute zum Geburtstag"


def test_a_reps_own_wording_per_language(owner):
    card = birthday_card(owner, "Jonas", "Weber", language="de")
    CardTemplate.objects.create(occasion=card.occasion, user=owner, language="de",
                                text="Hallo {preferred_name}, alles Gute!")  # fmt: skip
    CardTemplate.objects.create(occasion=card.occasion, user=owner, text="Hi {preferred_name}!")
    assert messages.draft(card) == "Hallo Jonas, alles Gute!"
    english = birthday_card(owner, "Amy", "Lee", day=12)
    assert messages.draft(english) == "Hi Amy!"


def test_a_thank_you_note_suggests_a_line_from_the_sale(owner):
    from extramile.book.services import record_sale

    person = make_customer(owner, "Ben", "Bauer")
    Fact.objects.create(customer=person, text="Goes camping in the mountains every August",
                        category="hobby", tags="interest, camping")  # fmt: skip
    sale = record_sale(person, NOW.date(), "Roof rack and bike carrier", 480, owner, now=NOW)
    card = Card.objects.get(sale=sale)
    found = messages.suggestions(card, NOW)
    assert "roof rack and bike carrier" in found[0].line
    assert any("camping" in s.line for s in found[1:])
    Sale.objects.all()  # the note's sale stays linked


def test_my_wording_page_keeps_one_wording_per_language(client, owner):
    from tests.conftest import PASSWORD

    client.login(username=owner.username, password=PASSWORD)
    birthday = Occasion.objects.get(code="birthday")
    field = f"template-{birthday.pk}"
    german = client.post("/cards/templates/", {"language": "de", field: "Hallo {preferred_name}!"})
    assert german.status_code == 302 and german["Location"].endswith("?language=de")
    client.post("/cards/templates/", {"language": "en", field: "Hi {preferred_name}!"})
    assert dict(CardTemplate.objects.values_list("language", "text")) == {
        "de": "Hallo {preferred_name}!",
        "": "Hi {preferred_name}!",
    }
    page = client.get("/cards/templates/?language=de").content.decode()
    assert "Hallo {preferred_name}!" in page and "Hi {preferred_name}!" not in page
