"""The entry point of the reader process (``checking.from_reader``).

Kept apart, and importing nothing of Django at the top: a ``spawn``-ed process imports the
target's module before anything else, and the models cannot be imported before
``django.setup()``. For the same reason the work arrives pickled and is unpickled after it.
"""

from __future__ import annotations

import pickle
import signal
from typing import Any


def run(work: bytes, ready: Any) -> None:
    """Set Django up, then send the checked batches of the file, ``END``, or the error. Ctrl-C
    is the importing process's to handle: it stops this one."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import django

    django.setup()
    from extramile.imports.checking import END, batches, pack

    try:
        source, region, size = pickle.loads(work)  # noqa: S301 — our own process's data
        for batch in batches(source, region, size):
            ready.put(pack(batch))
        ready.put(END)
    except Exception as error:  # sent to the importing process, which raises it
        ready.put(error)
