"""What the book tells the features above it, without knowing them.

``sale_recorded(sale, now)`` is sent inside ``services.record_sale``'s transaction: cards writes
the thank-you note (and its Today item) from it, so a failure there undoes the sale too."""

from __future__ import annotations

from django.dispatch import Signal

sale_recorded = Signal()  # sender: Sale; arguments: sale, now
