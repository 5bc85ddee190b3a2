"""The entry point of the reader process (``checking.from_reader``).

Kept apart, and importing nothing of Django at the top: a ``spawn``-ed process imports the
target's module before anything else, and the models cannot be imported before
``django.setup()``. For the same reason the work arrives pickled and is unpickled after it.

The reader dies with the importing process, however that one ends: a ``kill -9`` runs none of
its clean-up, and a reader left alone would wait forever on a full queue nobody reads (found
holding 83 MB five minutes later). Two ways, so either one is enough: on Linux the kernel is
asked to kill the reader when its parent ends (``prctl(PR_SET_PDEATHSIG)``); everywhere, a
thread waits on the pipe that multiprocessing keeps from the parent (``parent_process()``'s
sentinel), which reads end-of-file when the parent is gone, and ends the process.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from typing import Any

PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_GONE = 3  # the reader's exit code when it ends because the importing process did


def run(work: bytes, ready: Any) -> None:
    """Set Django up, then send the checked batches of the file, ``END``, or the error. Ctrl-C
    is the importing process's to handle: it stops this one."""
    die_with_parent()
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


def die_with_parent() -> None:
    """End this process when the process that started it ends (see the module's notes)."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    watch_parent()


def watch_parent() -> None:
    """The portable half: a thread that ends this process once its parent has ended (at once,
    if the parent ended before this was called)."""
    parent = multiprocessing.parent_process()
    if parent is None:  # not started by multiprocessing: nothing to watch
        return

    def wait_then_exit() -> None:
        parent.join()  # returns when the pipe from the parent reads end-of-file
        os._exit(PARENT_GONE)

    threading.Thread(target=wait_then_exit, name="parent-watch", daemon=True).start()
