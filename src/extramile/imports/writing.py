"""Writing a batch fast: multi-row ``INSERT … VALUES (…), (…)`` through the Django connection
(``RETURNING id`` for new customers, on SQLite 3.35+ and PostgreSQL alike), so a 100,000-row
import does not build 100,000 model instances and compile one small INSERT per 33 rows.

Columns the import does not set get the model field's default, prepared once per batch; the
``auto_now``/``auto_now_add`` timestamps get the import's ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection, models

MAX_PARAMS = 3_000  # bound values per INSERT: about 100 customers
MAX_TEXT = 200_000  # characters of text per INSERT


def insert(
    model: type[models.Model],
    given: Sequence[str],
    rows: Sequence[Sequence[Any]],
    now: dt.datetime,
    returning: bool = False,
) -> list[int]:
    """Insert ``rows`` (values for the ``given`` attribute names, ready for the database) and
    return the new primary keys in order when ``returning``."""
    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    position = {name: index for index, name in enumerate(given)}
    plan: list[tuple[int | None, Any]] = []
    for field in fields:
        if field.attname in position:
            plan.append((position[field.attname], None))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            plan.append((None, field.get_db_prep_save(now, connection)))
        else:
            plan.append((None, field.get_db_prep_save(field.get_default(), connection)))
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    if connection.vendor == "postgresql":
        return insert_arrays(model, fields, plan, rows, returning)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    ids: list[int] = []
    with connection.cursor() as cursor:
        for chunk in chunks(rows, max(1, MAX_PARAMS // len(fields))):
            params: list[Any] = []
            for row in chunk:
                params += [row[i] if i is not None else value for i, value in plan]
            # Table and column names come from the model; every value is a bound parameter.
            values = ", ".join([one] * len(chunk))
            sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608
            if returning:
                sql += f" RETURNING {quote(model._meta.pk.column)}"
            cursor.execute(sql, params)
            if returning:
                ids += [row[0] for row in cursor.fetchall()]
    return ids


def insert_arrays(
    model: type[models.Model],
    fields: list[models.Field[Any, Any]],
    plan: list[tuple[int | None, Any]],
    rows: Sequence[Sequence[Any]],
    returning: bool,
) -> list[int]:
    """PostgreSQL: ``INSERT … SELECT * FROM unnest(%s::type[], …)``, one array per column. The
    statement stays short whatever the batch, so psycopg does not re-parse a statement with
    thousands of placeholders for every batch (half the import's time with ``VALUES (…), (…)``).
    The new ids come back in the rows' order, as Django's own ``bulk_create`` relies on for the
    same statement."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT * FROM unnest({arrays})"  # noqa: S608
    if returning:
        sql += f" RETURNING {quote(model._meta.pk.column)}"
    ids: list[int] = []
    with connection.cursor() as cursor:
        for chunk in chunks(rows, ARRAY_ROWS):
            params = [
                [row[i] for row in chunk] if i is not None else [value] * len(chunk)
                for i, value in plan
            ]
            cursor.execute(sql, params)
            if returning:
                ids += [row[0] for row in cursor.fetchall()]
    return ids


ARRAY_ROWS = 2_000  # rows per INSERT on PostgreSQL (the text limit below still applies)


def chunks(rows: Sequence[Sequence[Any]], most: int) -> Iterator[Sequence[Sequence[Any]]]:
    """Runs of at most ``most`` rows and about MAX_TEXT characters of text (long notes), so
    neither the statement nor the driver's copy of it grows with the batch."""
    start, size = 0, 0
    for index, row in enumerate(rows):
        size += sum(len(value) for value in row if isinstance(value, str))
        if index - start + 1 >= most or size >= MAX_TEXT:
            yield rows[start : index + 1]
            start, size = index + 1, 0
    if start < len(rows):
        yield rows[start:]
