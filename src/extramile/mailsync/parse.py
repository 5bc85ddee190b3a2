"""Reading a message defensively: headers and bodies in any (or a broken) encoding never raise.

Everything returned is clean text (no lone surrogates, no NULs) that any database stores."""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import email.utils
import hashlib
import re
from email.message import EmailMessage, Message
from html.parser import HTMLParser

SUMMARY_LIMIT = 1500


def clean(text: str) -> str:
    """Text safe to store: raw bytes smuggled in as surrogates are decoded (UTF-8, else
    Windows-1252), anything else unencodable replaced; NULs dropped."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        decoded = raw.decode("cp1252", errors="replace")
    return decoded.replace("\x00", "")


def parse(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=email.policy.default)


def header(message: Message, name: str) -> str:
    """A header's decoded text; the raw value when its encoded words are broken."""
    try:
        value = message.get(name)
        text = "" if value is None else str(value)
    except Exception:  # a header the parser chokes on: fall back to the raw value
        raw = message.get_all(name, failobj=[])
        text = " ".join(str(v) for v in raw) if raw else ""
    return clean(" ".join(text.split()))


def addresses(message: Message, *names: str) -> list[tuple[str, str]]:
    """(display name, address) pairs from the given headers, addresses lower-cased."""
    found = []
    for name in names:
        values = []
        try:
            values = [str(v) for v in message.get_all(name, failobj=[])]
        except Exception:
            values = [header(message, name)]
        for display, address in email.utils.getaddresses(values):
            address = clean(address).strip().lower()
            if "@" in address:
                found.append((clean(display).strip(), address))
    return found


def message_id(message: Message) -> str:
    return header(message, "Message-ID").strip().strip("<>").strip()


def key_for(identifier: str) -> str:
    return hashlib.sha256(identifier.encode()).hexdigest()


def message_key(message: Message) -> str:
    """SHA-256 of the Message-ID; without one, of the date, sender and subject."""
    identifier = message_id(message)
    if not identifier:
        parts = [header(message, name) for name in ("Date", "From", "To", "Subject")]
        identifier = "no-message-id:" + "\n".join(parts)
    return key_for(identifier)


def references(message: Message) -> list[str]:
    """The Message-IDs this message answers: In-Reply-To, then References (newest first)."""
    found: list[str] = []
    for name in ("In-Reply-To", "References"):
        ids = re.findall(r"<([^<>\s]+)>", header(message, name))
        for identifier in reversed(ids) if name == "References" else ids:
            if identifier not in found:
                found.append(identifier)
    return found


def automatic(message: Message) -> str:
    """Why this is mail no one is owed a reply to (auto-replies, bulk, lists, bounces), or ""."""
    auto_submitted = header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = header(message, "Precedence").lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return f"Precedence: {precedence}"
    if header(message, "List-Id") or header(message, "List-Unsubscribe"):
        return "a mailing list"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response"):
        if header(message, name):
            return "an auto-reply"
    if header(message, "Return-Path").strip() == "<>":
        return "a bounce"
    if message.get_content_type() == "multipart/report":
        return "a delivery report"
    return ""


def date(message: Message) -> dt.datetime | None:
    """The Date header as an aware time, or None when missing or unreadable."""
    text = header(message, "Date")
    if not text:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return moment


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "head"}:
            self.skip += 1
        elif tag in {"br", "p", "div", "li", "tr"}:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "head"} and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        return re.sub(r"<[^>]*>", " ", html)
    return "".join(parser.parts)


def _part_text(part: Message) -> str:
    if isinstance(part, EmailMessage):
        with contextlib.suppress(Exception):  # an unknown or lying charset: decoded below
            content = part.get_content()
            if isinstance(content, str):
                return content
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def body_text(message: Message) -> str:
    """The message's text (plain preferred, else HTML stripped), quoted lines left out."""
    part: Message | None = None
    if isinstance(message, EmailMessage):
        with contextlib.suppress(Exception):
            part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        part = next(
            (p for p in message.walk() if p.get_content_maintype() == "text"),
            None,
        )
    if part is None:
        return ""
    text = _part_text(part)
    if part.get_content_subtype() == "html":
        text = html_text(text)
    lines = [line.rstrip() for line in text.splitlines() if not line.lstrip().startswith(">")]
    return clean("\n".join(lines)).strip()


def summary(message: Message, limit: int = SUMMARY_LIMIT) -> str:
    """Subject, then the start of the text."""
    subject = header(message, "Subject") or "(no subject)"
    text = re.sub(r"\n{3,}", "\n\n", body_text(message))
    whole = f"{subject}\n\n{text}".strip() if text else subject
    return whole if len(whole) <= limit else whole[: limit - 1].rstrip() + "…"
