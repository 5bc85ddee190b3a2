"""Writing a batch fast, so a 100,000-row import builds no model instances and runs no small
INSERT per row.

SQLite: multi-row ``INSERT … VALUES (…), (…) RETURNING id``. PostgreSQL: ``COPY … FROM STDIN``,
with the new customers' ids taken from the sequence first (``copy_rows``).

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
    if connection.vendor == "postgresql":
        return copy_rows(model, fields, plan, rows, returning)
    # The given values first, as each row has them, then the defaults, the same for every row:
    # a row's parameters are two extends, and the statement goes to sqlite3 with its own ``?``
    # marks (Django's cursor rewrote the ``%s`` of each 3,000-parameter statement with a
    # regular expression).
    ordered = sorted(
        (i, field.column) for field, (i, _) in zip(fields, plan, strict=True) if i is not None
    )
    assert [i for i, _ in ordered] == list(range(len(given))), "every given name is a column"
    fixed = [
        (field.column, value) for field, (i, value) in zip(fields, plan, strict=True) if i is None
    ]
    tail = [value for _, value in fixed]
    quote = connection.ops.quote_name
    names = [*(column for _, column in ordered), *(column for column, _ in fixed)]
    columns = ", ".join(quote(name) for name in names)
    one = "(" + ", ".join(["?"] * len(fields)) + ")"
    long_text = any(
        isinstance(field, models.TextField)
        for field, (i, _) in zip(fields, plan, strict=True)
        if i is not None
    )
    ids: list[int] = []
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    try:
        for chunk in chunks(rows, max(1, MAX_PARAMS // len(fields)), long_text):
            params: list[Any] = []
            for row in chunk:
                params += row
                params += tail
            # Table and column names come from the model; every value is a bound parameter.
            values = ", ".join([one] * len(chunk))
            sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608
            if returning:
                sql += f" RETURNING {quote(model._meta.pk.column)}"
            cursor.execute(sql, params)
            if returning:
                ids += [row[0] for row in cursor.fetchall()]
    finally:
        cursor.close()
    return ids


def copy_rows(
    model: type[models.Model],
    fields: list[models.Field[Any, Any]],
    plan: list[tuple[int | None, Any]],
    rows: Sequence[Sequence[Any]],
    returning: bool,
) -> list[int]:
    """PostgreSQL: ``COPY … FROM STDIN``, the server's bulk path, with each row formatted by
    psycopg's C code. ``COPY`` returns nothing, so when the new ids are wanted they are taken
    from the table's sequence first (one ``nextval`` per row, in a single query) and written
    with the rows. Against ``INSERT … SELECT FROM unnest(arrays)`` this halves the import's
    writing time: psycopg dumps arrays element by element in Python."""
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    quote = connection.ops.quote_name
    # COPY takes the columns in any order: the given values first, as each row has them, then
    # the defaults, the same for every row.
    given = sorted(
        (i, field.column) for field, (i, _) in zip(fields, plan, strict=True) if i is not None
    )
    assert [i for i, _ in given] == list(range(len(given))), "every given name is a column"
    fixed = [
        (field.column, value) for field, (i, value) in zip(fields, plan, strict=True) if i is None
    ]
    names = [pk.column] if returning else []
    names += [column for _, column in given] + [column for column, _ in fixed]
    tail = tuple(value for _, value in fixed)
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(table), pk.column, len(rows)],
            )
            ids = sorted(row[0] for row in cursor.fetchall())
        # Table and column names come from the model; the values travel as COPY data.
        statement = f"COPY {quote(table)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
        with cursor.cursor.copy(statement) as copy:
            for index, row in enumerate(rows):
                copy.write_row((ids[index], *row, *tail) if returning else (*row, *tail))
    return ids


def chunks(
    rows: Sequence[Sequence[Any]], most: int, long_text: bool = True
) -> Iterator[Sequence[Sequence[Any]]]:
    """Runs of at most ``most`` rows and, when a column may hold long text (``long_text``: a
    note), about MAX_TEXT characters of text, so neither the statement nor the driver's copy of
    it grows with the batch. Without long text the rows are only counted."""
    if not long_text:
        for start in range(0, len(rows), most):
            yield rows[start : start + most]
        return
    start, size = 0, 0
    for index, row in enumerate(rows):
        size += sum(len(value) for value in row if isinstance(value, str))
        if index - start + 1 >= most or size >= MAX_TEXT:
            yield rows[start : index + 1]
            start, size = index + 1, 0
    if start < len(rows):
        yield rows[start:]
