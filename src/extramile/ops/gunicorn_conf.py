"""gunicorn settings used by ``extramile serve`` (``--config python:extramile.ops.gunicorn_conf``).

When a web process exits, its live samples in ``PROMETHEUS_MULTIPROC_DIR`` are marked dead so
the metrics stay the sum of the running processes (prometheus-client's multiprocess mode).
gunicorn's own error log goes through Python logging, so it gets the same format as ours.
"""

from __future__ import annotations

import os
from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
