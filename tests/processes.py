"""Running the real console script against the test database, for tests that need a process of
its own (to kill it, or to write while another one reads)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

EXTRAMILE = str(Path(sys.executable).parent / "extramile")


def database_url() -> str:
    """``EXTRAMILE_DATABASE_URL`` of the database this test uses (its data must be committed:
    ``django_db(transaction=True)``)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = quote(settings.get("USER") or "", safe="")
    password = quote(settings.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings.get("HOST") or "localhost"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{settings['NAME']}"


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment for ``extramile`` on this test's database, with ``data_dir`` as its data
    directory (the secret key in it is the one this process uses, so signed links agree)."""
    from django.conf import settings

    return {
        **os.environ,
        "EXTRAMILE_DATA_DIR": str(data_dir),
        "EXTRAMILE_DATABASE_URL": database_url(),
        "EXTRAMILE_SECRET_KEY": settings.SECRET_KEY,
        **extra,
    }
