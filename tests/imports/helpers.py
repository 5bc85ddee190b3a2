"""Writing contact files as other programs do, and importing them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from extramile.book.models import Customer
from extramile.imports import services

NOW = dt.datetime(2026, 11, 23, 14, 30, tzinfo=dt.UTC)


def write(folder: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def run(path: Path, owner, **options) -> services.Report:
    mapping = options.pop("mapping", None)
    source = services.open_source(path, mapping)
    return services.run_import(source, owner, now=NOW, **options)


def book(owner) -> list[Customer]:
    return list(
        Customer.objects.filter(owner=owner)
        .prefetch_related("emails", "phones", "facts", "key_dates")
        .order_by("id")
    )


def emails(customer: Customer) -> list[str]:
    return sorted(e.address for e in customer.emails.all())


def phones(customer: Customer) -> list[str]:
    return sorted(p.number for p in customer.phones.all())


def facts(customer: Customer) -> list[str]:
    return sorted(f.text for f in customer.facts.all())
