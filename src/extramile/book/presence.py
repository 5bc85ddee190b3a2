"""Which of a customer's records exist, asked in one statement.

A customer page lists a dozen kinds of records (phones, facts, sales, cards, the timeline's
fifteen sources, …) and most customers have only a few of them. Asking each list for its rows is
a statement per list, each compiled by the ORM, sent, and answered "nothing" for most of them.
``present`` asks once instead: one ``SELECT EXISTS (…), EXISTS (…), …`` whose every part is a
probe of one index that starts with the customer (the same indexes the lists read), and the page
then reads only the lists that have rows.

The statement's text is made once per process per set of checks (no ORM per request).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import connection
from django.db.models import Model


@dataclass(frozen=True)
class Check:
    """``model`` has a row whose ``field`` (a column, or a foreign key's column) equals a value
    (and, optionally, meets ``where``: constant SQL on the model's own columns)."""

    model: type[Model]
    field: str
    where: str = ""

    def sql(self) -> str:
        meta = self.model._meta
        column = str(meta.get_field(self.field).column)  # type: ignore[union-attr]
        quote = connection.ops.quote_name
        extra = f" AND {self.where}" if self.where else ""
        # Constant text: names from the model's metadata, ``where`` from the code.
        return f"EXISTS (SELECT 1 FROM {quote(meta.db_table)} WHERE {quote(column)} = %s{extra})"  # noqa: S608


@functools.lru_cache(maxsize=32)
def _statement(checks: tuple[Check, ...], vendor: str) -> str:
    del vendor  # (part of the cache key: quoting differs per engine)
    return "SELECT " + ", ".join(check.sql() for check in checks)


def present(checks: Mapping[str, tuple[Check, int | None]]) -> dict[str, bool]:
    """For each name, whether its check finds a row for its value (a value of None: False,
    without asking). One statement for all of them."""
    asked = {name: pair for name, pair in checks.items() if pair[1] is not None}
    found = dict.fromkeys(checks, False)
    if not asked:
        return found
    statement = _statement(tuple(check for check, _value in asked.values()), connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(statement, [value for _check, value in asked.values()])
        row = cursor.fetchone()
    found.update({name: bool(value) for name, value in zip(asked, row, strict=True)})
    return found
