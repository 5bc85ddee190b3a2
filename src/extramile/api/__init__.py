"""The JSON API (django-ninja): ``/api/``, with its OpenAPI description at ``/api/docs``.

Also a Django app (label ``api``) for its one model, ``IdempotentRequest``. The ``NinjaAPI``
object lives in ``routes.py`` and is imported lazily (``from extramile.api import api``), as
Django imports this package while the app registry is still loading.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "api":
        from extramile.api.routes import api

        return api
    raise AttributeError(name)
