"""IMAP folder names: modified UTF-7 (RFC 3501 §5.1.3), quoting, LIST lines, the Sent folder.

People type and read folder names as text ("Éléments envoyés"); the wire carries them in modified
UTF-7 ("&AMk-l&AOk-ments envoy&AOk-s"), quoted."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

# Names a Sent folder goes by when the server does not mark it with SPECIAL-USE \Sent.
SENT_NAMES = (
    "Sent",
    "Sent Items",
    "Sent Messages",
    "Sent Mail",
    "[Gmail]/Sent Mail",
    "INBOX.Sent",
    "INBOX/Sent",
    "Gesendet",
    "Gesendete Objekte",
    "Envoyés",
    "Éléments envoyés",
    "Enviados",
    "Posta inviata",
    "Verzonden items",
)


def encode(name: str) -> str:
    """Text to modified UTF-7."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(raw).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def decode(name: str) -> str:
    """Modified UTF-7 to text (a malformed name is returned as it is)."""

    def piece(match: re.Match[str]) -> str:
        body = match.group(1)
        if not body:
            return "&"
        data = body.replace(",", "/")
        data += "=" * (-len(data) % 4)
        return base64.b64decode(data).decode("utf-16-be")

    try:
        return re.sub(r"&([^-]*)-", piece, name)
    except (ValueError, UnicodeDecodeError):
        return name


def quote(name: str) -> str:
    """A folder name as an IMAP quoted string, encoded."""
    wire = encode(name)
    return '"' + wire.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class FolderInfo:
    name: str  # decoded
    flags: frozenset[str]

    @property
    def selectable(self) -> bool:
        return "\\noselect" not in self.flags and "\\nonexistent" not in self.flags


LIST_LINE = re.compile(rb'^\((?P<flags>[^)]*)\) (?P<delim>"(?:\\.|[^"])*"|NIL) (?P<name>.*)$')


def parse_list(data: list[Any]) -> list[FolderInfo]:
    """The folders of a LIST answer as imaplib gives it (a literal name comes as a tuple)."""
    folders = []
    for item in data:
        if item is None:
            continue
        if isinstance(item, tuple):
            line, literal = item[0], item[1]
            match = LIST_LINE.match(line)
            raw_name = literal
        else:
            match = LIST_LINE.match(item)
            raw_name = match.group("name") if match else b""
        if match is None:
            continue
        name = raw_name.decode("utf-8", errors="replace")
        if name.startswith('"') and name.endswith('"') and len(name) >= 2:
            name = re.sub(r"\\(.)", r"\1", name[1:-1])
        flags = frozenset(flag.lower() for flag in match.group("flags").decode().split())
        folders.append(FolderInfo(decode(name), flags))
    return folders


def find_sent(folders: list[FolderInfo]) -> str | None:
    """The folder marked \\Sent (SPECIAL-USE), else one with a usual name, else None."""
    usable = [folder for folder in folders if folder.selectable]
    for folder in usable:
        if "\\sent" in folder.flags:
            return folder.name
    by_name = {folder.name.lower(): folder.name for folder in usable}
    for candidate in SENT_NAMES:
        if candidate.lower() in by_name:
            return by_name[candidate.lower()]
    return None
