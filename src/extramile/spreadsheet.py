"""Cells that are safe to open in a spreadsheet. Every CSV the product writes (cards for a mailing
house, exports, the import's error report, the team and article figures) goes through here."""

from __future__ import annotations

# Text starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A spreadsheet-safe cell: text that a spreadsheet would run as a formula gets a ``'``."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
