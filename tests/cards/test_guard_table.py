"""The guard, table-driven: generic, pasted, personal and personal-but-about-someone-else messages
in English, German, French and Spanish. Each row: whose card, the line added to the draft, whether
it passes, and a fragment the verdict must name."""

from __future__ import annotations

import datetime as dt

import pytest

from extramile.book.models import Fact, Sale
from extramile.book.services import relate
from extramile.cards import messages, services
from extramile.cards.models import Card, CardStatus, Occasion
from extramile.cards.planning import plan_cards
from tests.conftest import NOW, make_customer

WINDOW = (dt.date(2026, 11, 23), dt.date(2026, 12, 7))

PEOPLE = {
    "anna": ("Anna", "Smith", "en", 10),
    "ben": ("Ben", "Jones", "en", 11),
    "jonas": ("Jonas", "Weber", "de", 12),
    "chloe": ("Chloé", "Martin", "fr", 13),
    "lucia": ("Lucía", "García", "es", 14),
}
NOTES = {
    "anna": [
        ("Sails a small boat on weekends", "hobby", "interest, sailing"),
        ("Daughter Mia started college in the fall", "life_event", "college"),
    ],
    "ben": [
        ("Adopted a rescue dog called Biscuit", "life_event", "pets"),
        ("Plays golf every Saturday morning", "hobby", "interest, golf"),
    ],
    "jonas": [("Segelt jeden Sommer auf dem Bodensee", "hobby", "Segeln")],
    "chloe": [("Cultive des tomates dans son jardin de Provence", "hobby", "jardinage")],
    "lucia": [("Corre maratones con su hermano Diego", "hobby", "correr")],
}
SALES = {"anna": "Honda CR-V", "ben": "Roof rack and bike carrier", "jonas": "Dachbox"}

OK, NO = True, False
ROWS = [
    # --- generic: never personal, in any language ---
    ("ben", "Happy birthday! Thanks for being a great customer.", NO, "only greetings"),
    ("anna", "Thank you for your business.", NO, "only greetings"),
    ("anna", "Merry Christmas and a happy New Year!", NO, "only greetings"),
    ("anna", "Season's greetings to you and yours!", NO, "only greetings"),
    ("anna", "Have a wonderful day!", NO, "only greetings"),
    ("anna", "Many happy returns, valued customer.", NO, "only greetings"),
    ("ben", "Hope you have a great year ahead.", NO, "Nothing in it is about Ben"),
    ("ben", "Thank you for your loyalty over the years.", NO, "nothing about Ben"),
    ("ben", "You are a wonderful customer and a joy to work with.", NO, "about Ben"),
    ("ben", "Best wishes and all the best!", NO, "only greetings"),
    ("jonas", "Frohe Weihnachten und einen guten Rutsch!", NO, "about Jonas"),
    ("jonas", "Danke für Ihre Treue, Sie sind ein toller Kunde.", NO, "about Jonas"),
    ("jonas", "Alles Gute zum Geburtstag und herzliche Grüße!", NO, "only greetings"),
    ("jonas", "Schöne Feiertage!", NO, "only greetings"),
    ("chloe", "Joyeux Noël et bonne année !", NO, "only greetings"),
    ("chloe", "Merci pour votre fidélité, vous êtes une excellente cliente.", NO, "Chloé"),
    ("chloe", "Meilleurs vœux et bonnes fêtes !", NO, "only greetings"),
    ("lucia", "¡Feliz Navidad y próspero año nuevo!", NO, "only greetings"),
    ("lucia", "Gracias por su confianza, es usted una gran clienta.", NO, "Lucía"),
    ("lucia", "¡Felices fiestas!", NO, "only greetings"),
    ("lucia", "Muchas felicidades y mis mejores deseos.", NO, "only greetings"),
    ("anna", "Happy holidays! Frohe Weihnachten!", NO, "only greetings"),
    # --- personal: about this recipient, and the verdict says what ---
    ("anna", "I hope the sailing season treats you well.", OK, "sailing (their note"),
    ("anna", "Please give my love to Mia.", OK, "their daughter Mia"),
    ("anna", "How is Mia finding college?", OK, "their daughter Mia"),
    ("anna", "I hope the Honda is still running like new.", OK, "bought Honda CR-V"),
    ("anna", "Say hello to Tom from me.", OK, "their child Tom"),
    ("anna", "I hope the little boat got plenty of wind this year.", OK, "boat"),
    ("anna", "Happy birthday! I hope you got out on the boat this weekend.", OK, "boat"),
    ("ben", "How is Biscuit settling in?", OK, "their dog Biscuit"),
    ("ben", "I hope your golf swing is in top form this winter.", OK, "golf"),
    ("ben", "Has the bike carrier been on many trips yet?", OK, "bike"),
    ("ben", "Thanks for being a great customer, and give Biscuit a pat.", OK, "Biscuit"),
    ("ben", "I hope the rescue dog is keeping you busy.", OK, "rescue"),
    ("jonas", "Ich hoffe, der Sommer auf dem Bodensee war schön.", OK, "sommer (their note"),
    ("jonas", "Wie war das Segeln in diesem Jahr?", OK, "segeln (their note"),
    ("jonas", "Ich hoffe, die Dachbox hat sich im Urlaub bewährt.", OK, "bought Dachbox"),
    ("jonas", "Frohe Weihnachten! Und viel Wind auf dem Bodensee.", OK, "bodensee"),
    ("chloe", "J'espère que les tomates ont bien poussé cette année.", OK, "tomates"),
    ("chloe", "Comment va le jardin en Provence ?", OK, "jardin"),
    ("chloe", "Joyeux Noël ! Et bonne récolte de tomates.", OK, "tomates"),
    ("lucia", "¿Qué tal los maratones este año?", OK, "maratones"),
    ("lucia", "Dé un saludo a Diego de mi parte.", OK, "Diego"),
    ("lucia", "¡Feliz Navidad! Espero que Diego y usted sigan corriendo maratones.", OK, "Diego"),
    # --- pasted: a near-copy of another card of the rep's, any occasion, last 12 months ---
    ("anna", "I hope the sailing season treats you well, and love to Mia.", NO, "near-copy"),
    ("anna", "I hope the sailing season treats you well and love to Mia!", NO, "near-copy"),
    ("anna", "i hope the sailing season treats you well, and love to mia", NO, "Christmas card"),
    ("ben", "I hope the golf is going well every Saturday morning.", NO, "near-copy"),
    ("jonas", "Ich hoffe, das Segeln auf dem Bodensee war wunderbar.", NO, "near-copy"),
    # --- personal, but about someone else in the rep's book ---
    ("anna", "How is Biscuit settling in?", NO, "Biscuit, who belongs with Ben Jones"),
    ("anna", "I hope the golf every Saturday morning is going well.", NO, "about Ben Jones"),
    ("anna", "Sailing aside, give Biscuit a pat from me.", NO, "Ben Jones"),
    ("ben", "Please give my love to Mia.", NO, "Mia, who belongs with Anna Smith"),
    ("ben", "I hope the sailing season treats you well, and love to Mia.", NO, "Anna Smith"),
    ("ben", "I hope the Bodensee was lovely this summer.", NO, "Jonas Weber"),
    ("jonas", "Wie geht es Biscuit?", NO, "Ben Jones"),
    ("jonas", "Grüßen Sie Diego von mir.", NO, "Lucía García"),
    ("chloe", "Passez le bonjour à Mia de ma part.", NO, "Anna Smith"),
    ("chloe", "J'espère que le Bodensee était beau.", NO, "Jonas Weber"),
    ("lucia", "Espero que Biscuit esté bien.", NO, "Ben Jones"),
    ("lucia", "¿Qué tal las tomates de Provence?", NO, "Chloé Martin"),
    ("ben", "Hope the weekends on the small boat are still a joy, Sails!", NO, "about Anna"),
    # --- nothing added, or nothing at all ---
    ("anna", "", NO, "nothing added"),
    ("jonas", "", NO, "nothing added"),
]


@pytest.fixture
def book(owner):
    cards: dict[str, Card] = {}
    people = {}
    for key, (first, last, lang, day) in PEOPLE.items():
        person = make_customer(owner, first, last, language=lang, birth_month=12, birth_day=day)
        people[key] = person
        for text, category, tags in NOTES[key]:
            Fact.objects.create(customer=person, text=text, category=category, tags=tags)
        if key in SALES:
            Sale.objects.create(customer=person, date=dt.date(2025, 3, 1), description=SALES[key])
    relate(people["anna"], "parent", make_customer(owner, "Tom", "Smith"))
    plan_cards(*WINDOW, NOW, occasions=Occasion.objects.filter(code="birthday"))
    for key, (first, _last, _lang, _day) in PEOPLE.items():
        cards[key] = Card.objects.get(customer__first_name=first, occasion__code="birthday")
    # Earlier cards of the rep's: last Christmas's to Anna, a spring card to Ben, and one to
    # Jonas in this same week (another occasion).
    christmas = Occasion.objects.get(code="christmas")
    earlier = [
        ("anna", christmas, dt.date(2025, 12, 15), "i hope the sailing season treats you well and love to mia"),
        ("ben", Occasion.objects.get(code="purchase"), dt.date(2026, 3, 2), "i hope the golf is going well every saturday morning"),
        ("jonas", Occasion.objects.get(code="key_date"), dt.date(2026, 12, 1), "ich hoffe das segeln auf dem bodensee war wunderbar"),
    ]  # fmt: skip
    for key, occasion, mail_by, personal in earlier:
        Card.objects.create(
            occasion=occasion, year=mail_by.year, occasion_on=mail_by + dt.timedelta(days=7),
            mail_by=mail_by, owner=owner, customer=cards[key].customer, personal=personal,
            status=CardStatus.MAILED if mail_by.year == 2025 or mail_by.month == 3 else CardStatus.WRITTEN,
            created_at=NOW, updated_at=NOW,
        )  # fmt: skip
    return cards


def test_the_table_has_enough_rows_in_several_languages():
    assert len(ROWS) >= 60
    assert {PEOPLE[row[0]][2] for row in ROWS} == {"en", "de", "fr", "es"}


@pytest.mark.parametrize(("who", "line", "passes", "named"), ROWS)
def test_the_guard(book, who, line, passes, named):
    card = book[who]
    draft = messages.draft(card)
    message = f"{draft}\n\n{line}" if line else draft
    verdict = services.check(card, message)
    assert verdict.ok is passes, verdict.reason
    assert named in verdict.reason, verdict.reason
