import pytest
from django.core.exceptions import ValidationError

from extramile.articles.importing import import_file
from extramile.articles.models import Article
from tests.articles.helpers import NOW

pytestmark = pytest.mark.django_db

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Garage news</title><language>en-us</language>
<item><title>Winter tyres &amp; you</title><link>https://news.example/tyres</link>
<description>&lt;p&gt;Why &lt;b&gt;grip&lt;/b&gt; matters.&lt;/p&gt;</description>
<category>Tyres</category><category>Winter</category></item>
<item><title>Charging at home</title><link>https://news.example/charging</link>
<description>Wallboxes explained.</description><category>Electric Cars</category></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">
<title>Werkstatt</title><id>urn:x</id><updated>2026-01-01T00:00:00Z</updated>
<entry><title>Ölwechsel leicht gemacht</title><id>urn:1</id><updated>2026-01-01T00:00:00Z</updated>
<link href="https://werk.example/oel"/><summary type="html">&lt;i&gt;Alle&lt;/i&gt; 15.000 km</summary>
<category term="Wartung"/></entry></feed>""".encode()


def test_csv_with_bom_and_semicolons():
    data = (
        "\ufefftitle;url;summary;topics;language\n"
        "Sailing on a budget;https://a.example/sail;Cheap boats;Sailing, Travel;en\n"
        "=HYPERLINK(1);https://a.example/formula;x;;\n"
    ).encode("utf-8")
    result = import_file(data, NOW)
    assert result.added == 2 and not result.errors
    sail = Article.objects.get(url="https://a.example/sail")
    assert sail.title == "Sailing on a budget"
    assert sail.topic_list == ["sailing", "travel"]
    assert sail.language == "en"


def test_windows_1252_and_tabs():
    data = "title\turl\ttopics\nCaf\xe9 culture\thttps://a.example/cafe\tcoffee\n".encode("cp1252")
    result = import_file(data, NOW)
    assert result.added == 1
    assert Article.objects.get().title == "Café culture"


def test_bad_rows_are_reported_and_the_rest_import():
    data = (
        b"title,url\n"
        b"Good one,https://a.example/good\n"
        b",https://a.example/untitled\n"
        b"No link,not a url\n"
    )
    result = import_file(data, NOW)
    assert result.added == 1
    assert result.errors == [
        "Row 3: the title is missing.",
        "Row 4: \u201cnot a url\u201d is not a web address (http:// or https://).",
    ]


def test_a_file_without_the_columns_is_refused():
    with pytest.raises(ValidationError, match="title,url"):
        import_file(b"name,link\nx,y\n", NOW)
    with pytest.raises(ValidationError, match="empty"):
        import_file(b"   ", NOW)


def test_rss_entries_become_articles_with_tags_and_plain_summaries():
    result = import_file(RSS, NOW)
    assert result.kind == "feed" and result.added == 2
    tyres = Article.objects.get(url="https://news.example/tyres")
    assert tyres.title == "Winter tyres & you"
    assert tyres.summary == "Why grip matters."
    assert tyres.topic_list == ["tyres", "winter"]
    assert tyres.language == "en-us"


def test_atom_feed():
    result = import_file(ATOM, NOW)
    assert result.added == 1
    oil = Article.objects.get()
    assert (oil.title, oil.summary, oil.topics, oil.language) == (
        "Ölwechsel leicht gemacht",
        "Alle 15.000 km",
        "wartung",
        "de",
    )


def test_re_importing_the_same_file_adds_nothing():
    import_file(RSS, NOW)
    again = import_file(RSS, NOW)
    assert (again.added, again.existing) == (0, 2)
    assert Article.objects.count() == 2


# --- quotes, our own export, and files that are not text ----------------------------------------


def test_doubled_quotes_in_a_quoted_title_are_one_quote():
    # The first line has no quote at all, so a sniffer that reads only the header guesses that
    # quotes are not doubled and leaves one of each pair behind.
    data = (
        b"title,url,summary,topics,language\n"
        b'"Say ""hi"" to winter",https://a.example/hi,"He said ""no"", then ""yes""",,en\n'
        b'"""Quoted"" at the start",https://a.example/start,,,\n'
    )
    result = import_file(data, NOW)
    assert result.added == 2 and not result.errors
    hi = Article.objects.get(url="https://a.example/hi")
    assert hi.title == 'Say "hi" to winter'
    assert hi.summary == 'He said "no", then "yes"'
    assert Article.objects.get(url="https://a.example/start").title == '"Quoted" at the start'


TRICKY = [
    ('Say "hi" to winter', 'Quotes "in" the summary, and commas', "winter, tyres", "en"),
    ("Semicolons; and | pipes", "Line one\nline two\twith a tab", "", "de"),
    ("=SUM(1,2) is not a formula here", "+ and - and @ too", "money", ""),
    ("Ölwechsel — Grüße ✓", "", "wartung", "de-AT"),
    ('"Quoted" at the start', '""', "", ""),
]


def export(client) -> bytes:
    response = client.get("/articles/library/export.csv")
    assert response.status_code == 200
    return response.content


@pytest.mark.time_machine(NOW)
def test_export_then_import_then_export_is_identical(client, manager):
    for number, (title, summary, topics, language) in enumerate(TRICKY):
        Article.objects.create(
            title=title,
            url=f"https://a.example/{number}",
            summary=summary,
            topics=topics,
            language=language,
            created_at=NOW,
        )
    client.force_login(manager)
    first = export(client)
    stored = list(Article.objects.values_list("title", "url", "summary", "topics", "language"))
    Article.objects.all().delete()
    result = import_file(first, NOW)
    assert (result.added, result.errors) == (len(TRICKY), [])
    again = list(Article.objects.values_list("title", "url", "summary", "topics", "language"))
    assert sorted(again) == sorted(stored)  # the formula's "'" undone, too
    assert export(client) == first


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)) * 4,  # a workbook
        b"title,url\nA,https://a.example/a\x00\x00\x00\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
    ],
    ids=["xlsx", "nul-in-a-row", "png"],
)
def test_a_binary_file_is_refused_with_a_clear_message(data):
    with pytest.raises(ValidationError) as refused:
        import_file(data, NOW)
    message = " ".join(refused.value.messages)
    assert "not a text file" in message and "\x00" not in message
    assert not Article.objects.exists()
