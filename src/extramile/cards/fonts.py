"""Fonts for every script a name or message may be written in.

Typst's embedded fonts (Libertinus Serif, New Computer Modern, DejaVu Sans Mono) cover Latin,
Greek and Cyrillic. For the other scripts the Noto fonts installed on the system are used
(Debian: ``fonts-noto-core`` for Arabic, Hebrew, Thai, Devanagari…, ``fonts-noto-cjk`` for
Chinese, Japanese and Korean). A print run passes Typst only the font files its text needs (a
folder of links per set of scripts), so a batch in Latin script loads no extra font at all.

Text in a script no installed font covers is not printed as empty boxes: ``missing()`` names the
script and the package that brings it, and the print file leaves that card out with a warning.
The handwriting-style option is Dancing Script (SIL Open Font License, ``fonts/OFL.txt``),
shipped in the package; it covers Latin, and other scripts fall back to the fonts above.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fontTools import unicodedata as ucd

SHIPPED = Path(__file__).parent / "fonts"
HANDWRITING = "Dancing Script"
HANDWRITING_FILE = SHIPPED / "DancingScript-Regular.otf"
SYSTEM_FOLDERS = [
    Path(p) for p in os.environ.get("EXTRAMILE_FONT_DIRS", "/usr/share/fonts").split(":")
]
BUILT_IN = frozenset({"Latn", "Grek", "Cyrl", "Zyyy", "Zinh", "Zzzz"})
RTL = frozenset({"Arab", "Hebr", "Syrc", "Thaa", "Nkoo"})


@dataclass(frozen=True)
class ScriptFont:
    """The fonts that cover one script: the file names looked for, the family Typst knows them
    by, the Debian package that installs them and a sample the coverage test checks."""

    name: str
    files: tuple[str, ...]
    family: str
    package: str
    sample: str


CJK = ("NotoSerifCJK-Regular.ttc", "NotoSansCJK-Regular.ttc")
SCRIPTS: dict[str, ScriptFont] = {
    "Hani": ScriptFont("Chinese", CJK, "Noto Serif CJK SC", "fonts-noto-cjk", "王小明 陈静"),
    "Hira": ScriptFont("Japanese", CJK, "Noto Serif CJK JP", "fonts-noto-cjk", "さくら ひらがな"),
    "Kana": ScriptFont("Japanese", CJK, "Noto Serif CJK JP", "fonts-noto-cjk", "カタカナ サトウ"),
    "Hang": ScriptFont("Korean", CJK, "Noto Serif CJK KR", "fonts-noto-cjk", "김민준 한국어"),
    "Arab": ScriptFont(
        "Arabic",
        ("NotoNaskhArabic-Regular.ttf", "NotoSansArabic-Regular.ttf"),
        "Noto Naskh Arabic",
        "fonts-noto-core",
        "محمد العلي",
    ),
    "Hebr": ScriptFont(
        "Hebrew",
        ("NotoSerifHebrew-Regular.ttf", "NotoSansHebrew-Regular.ttf"),
        "Noto Serif Hebrew",
        "fonts-noto-core",
        "דוד כהן",
    ),
    "Thai": ScriptFont(
        "Thai",
        ("NotoSerifThai-Regular.ttf", "NotoSansThai-Regular.ttf"),
        "Noto Serif Thai",
        "fonts-noto-core",
        "สมชาย ใจดี",
    ),
    "Deva": ScriptFont(
        "Devanagari",
        ("NotoSerifDevanagari-Regular.ttf", "NotoSansDevanagari-Regular.ttf"),
        "Noto Serif Devanagari",
        "fonts-noto-core",
        "अनन्या शर्मा",
    ),
}


@functools.cache
def _system_files() -> dict[str, Path]:
    """Font files under the system folders, by file name (found once per process)."""
    found: dict[str, Path] = {}
    wanted = {name for font in SCRIPTS.values() for name in font.files}
    for folder in SYSTEM_FOLDERS:
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.name in wanted and path.name not in found:
                    found[path.name] = path
    return found


def font_file(script: str) -> Path | None:
    """The installed file that covers ``script``, or None."""
    font = SCRIPTS.get(script)
    if font is None:
        return None
    files = _system_files()
    return next((files[name] for name in font.files if name in files), None)


@functools.lru_cache(maxsize=4096)
def _script(char: str) -> str:
    return str(ucd.script(char))


def scripts_of(text: str) -> set[str]:
    """The scripts ``text`` is written in, beyond what the built-in fonts cover."""
    if text.isascii():
        return set()
    return {s for s in map(_script, text) if s not in BUILT_IN}


def direction(text: str) -> str:
    """ "rtl" when the first letter with a direction is Arabic or Hebrew, else "ltr"."""
    if text.isascii():
        return "ltr"
    for char in text:
        if char.isalpha():
            return "rtl" if _script(char) in RTL else "ltr"
    return "ltr"


def missing(scripts: set[str]) -> list[str]:
    """A sentence per script no installed font covers."""
    problems = []
    for script in sorted(scripts):
        font = SCRIPTS.get(script)
        if font is None:
            problems.append(f"no font for the {ucd.script_name(script)} script is known")
        elif font_file(script) is None:
            problems.append(f"no font for {font.name} is installed (Debian: {font.package})")
    return problems


def families(scripts: set[str]) -> list[str]:
    """The families to add to the fallback list for ``scripts`` (installed ones only)."""
    found: list[str] = []
    for script in sorted(scripts):
        font = SCRIPTS.get(script)
        if font is not None and font_file(script) is not None and font.family not in found:
            found.append(font.family)
    return found


def folders(scripts: set[str]) -> list[str]:
    """Font folders for Typst: the shipped fonts, and a folder of links to the system files the
    scripts need (Typst reads a .ttc only from a folder)."""
    files = sorted({str(f) for f in (font_file(s) for s in scripts) if f is not None})
    result = [str(SHIPPED)]
    if files:
        key = hashlib.sha256("\n".join(files).encode()).hexdigest()[:16]
        folder = Path(tempfile.gettempdir()) / f"extramile-fonts-{os.getuid()}" / key
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            for file in files:
                link = folder / Path(file).name
                if not link.exists():
                    link.symlink_to(file)
        result.append(str(folder))
    return result
