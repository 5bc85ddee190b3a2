"""Filling the library from a file: CSV (title,url,summary,topics,language) or an RSS/Atom feed.

The kind is told by the content, not the file name: a file whose first non-blank character is
``<`` is a feed (read by feedparser), anything else is CSV. CSV may use commas, semicolons, tabs or
pipes (told by the header) and be UTF-8 (with or without a byte-order mark), UTF-16 with a BOM, or
Windows-1252; quoting is standard CSV (a quote in a quoted cell doubled), so our own export
reads back exactly. A binary file (a workbook, a picture) is refused with a message. An
article whose URL is in the library already is left alone, so re-importing a file adds nothing.
A bad row is reported by its row number and the rest still import.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from dataclasses import dataclass, field

import feedparser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.html import strip_tags

from extramile.articles.models import Article
from extramile.articles.topics import normalise_topics
from extramile.imports.readers import sniff_delimiter
from extramile.spreadsheet import FORMULA_STARTS

COLUMNS = ("title", "url", "summary", "topics", "language")
MAX_BYTES = 20 * 1024 * 1024
check_url = URLValidator(schemes=["http", "https"])


@dataclass
class ImportResult:
    kind: str = "csv"
    added: int = 0
    existing: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.added} added, {self.existing} already in the library"
        if self.errors:
            text += f", {len(self.errors)} with errors"
        return text


@dataclass(frozen=True)
class Row:
    line: str  # “Row 3” or “Entry 2”: where a person finds it in their file
    title: str
    url: str
    summary: str = ""
    topics: str = ""
    language: str = ""


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def is_binary(text: str) -> bool:
    """Text no CSV or feed has: a NUL, or many control characters (a workbook, a picture)."""
    if "\x00" in text:
        return True
    sample = text[:4096]
    controls = sum(1 for char in sample if char < " " and char not in "\t\n\r\f")
    return controls > len(sample) // 20


def is_feed(data: bytes) -> bool:
    return decode(data[:4096]).lstrip().startswith("<")


def import_file(data: bytes, now: dt.datetime) -> ImportResult:
    """Import a CSV or RSS/Atom file's articles. Raises ValidationError for a file that cannot be
    read at all; bad rows are reported in the result."""
    if not data.strip():
        raise ValidationError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ValidationError("The file is larger than 20 MB; split it.")
    text = decode(data)
    if is_binary(text):
        raise ValidationError(
            "This is not a text file (a spreadsheet workbook or a picture?): save the list as "
            "CSV with the columns title,url,summary,topics,language, or give an RSS or Atom feed."
        )
    if is_feed(data):
        return save(feed_rows(data), now, ImportResult(kind="feed"))
    return save(csv_rows(text), now, ImportResult(kind="csv"))


def csv_rows(text: str) -> list[Row]:
    """The rows of a CSV file. Only the delimiter is found out (from the header, whose column
    names are known); the quoting is standard CSV, as every spreadsheet and our own export write
    it: a quote inside a quoted cell is doubled (``"Say ""hi"" to winter"``). Guessing the quoting
    as well, from a header that has no quotes, read those cells wrong."""
    lines = (line for line in text.splitlines() if line.strip())
    delimiter = sniff_delimiter(next(lines, ""))
    reader = csv.reader(io.StringIO(text), dialect=csv.excel, delimiter=delimiter)
    number = 0  # of the row, as a spreadsheet counts them (a cell's line breaks do not count)
    header: list[str] = []
    try:
        for header in reader:
            number += 1
            if any(cell.strip() for cell in header):
                break
    except csv.Error as error:
        raise ValidationError(f"The first row cannot be read as CSV ({error}).") from None
    header = [name.strip().lower() for name in header]
    missing = [name for name in ("title", "url") if name not in header]
    if missing:
        raise ValidationError(
            "The first row must name the columns title,url,summary,topics,language "
            f"(missing: {', '.join(missing)})."
        )
    where = {name: header.index(name) for name in COLUMNS if name in header}
    rows = []
    try:
        for cells in reader:
            number += 1
            if not any(cell.strip() for cell in cells):
                continue

            def cell(name: str, cells: list[str] = cells) -> str:
                index = where.get(name)
                value = cells[index].strip() if index is not None and index < len(cells) else ""
                if value[:1] == "'" and value[1:2] in FORMULA_STARTS:
                    value = value[1:]  # a cell our export made spreadsheet-safe: as it was
                return value

            rows.append(
                Row(
                    f"Row {number}",
                    cell("title"),
                    cell("url"),
                    cell("summary"),
                    cell("topics"),
                    cell("language"),
                )
            )
    except csv.Error as error:
        raise ValidationError(
            f"Row {number + 1} cannot be read as CSV ({error}); nothing was imported."
        ) from None
    return rows


def plain(text: str) -> str:
    """HTML as plain text: tags stripped, entities decoded, white space collapsed."""
    return " ".join(html.unescape(strip_tags(text or "")).split())


def feed_rows(data: bytes) -> list[Row]:
    parsed = feedparser.parse(data)
    if parsed.bozo and not parsed.entries:
        raise ValidationError(
            "This is neither a CSV file nor an RSS or Atom feed that can be read."
        )
    language = str(parsed.feed.get("language", "") or "")
    rows = []
    for number, entry in enumerate(parsed.entries, start=1):
        tags = [str(tag.get("term") or tag.get("label") or "") for tag in entry.get("tags", [])]
        rows.append(
            Row(
                f"Entry {number}",
                plain(entry.get("title", "")),
                str(entry.get("link", "")).strip(),
                plain(entry.get("summary", "")),
                ",".join(tags),
                language,
            )
        )
    return rows


def check(row: Row) -> str:
    """What is wrong with the row (blank when nothing)."""
    if not row.title:
        return f"{row.line}: the title is missing."
    if not row.url:
        return f"{row.line}: the URL is missing."
    try:
        check_url(row.url)
    except ValidationError:
        return f"{row.line}: “{row.url[:80]}” is not a web address (http:// or https://)."
    if len(row.url) > 500:
        return f"{row.line}: the URL is longer than 500 characters."
    if len(row.language) > 10:
        return f"{row.line}: “{row.language[:20]}” is not a language code (en, de, fr-CA)."
    return ""


def save(rows: list[Row], now: dt.datetime, result: ImportResult) -> ImportResult:
    urls = {row.url for row in rows}
    known = set(Article.objects.filter(url__in=urls).values_list("url", flat=True))
    new: list[Article] = []
    for row in rows:
        problem = check(row)
        if problem:
            result.errors.append(problem)
            continue
        if row.url in known:
            result.existing += 1
            continue
        known.add(row.url)
        new.append(
            Article(
                title=" ".join(row.title.split())[:200],
                url=row.url,
                summary=row.summary,
                topics=normalise_topics(row.topics)[:300],
                language=row.language,
                created_at=now,
            )
        )
    with transaction.atomic():
        Article.objects.bulk_create(new, ignore_conflicts=True)
    result.added = len(new)
    return result
