"""``extramile serve``: gunicorn with whitenoise for static files; optionally one worker beside it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Serve the web app with gunicorn (and, with --with-worker, one background worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="web processes")
        parser.add_argument(
            "--with-worker", action="store_true", help="also run `extramile worker`"
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="start at once: `extramile collectstatic` was run when this version was installed",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["port"] < 65536:
            raise CommandError(f"{options['port']} is not a port number.")
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        worker = None
        if options["with_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "extramile.cli", "worker"])
        env = os.environ.copy()
        metrics_dir = ""
        if not env.get("PROMETHEUS_MULTIPROC_DIR"):
            # Each gunicorn process writes its request metrics here; /metrics sums them.
            metrics_dir = tempfile.mkdtemp(prefix="extramile-metrics-")
            env["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(f"ExtraMile is serving at {url}  (Ctrl-C to stop)")
        self.stdout.flush()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "extramile.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                "--workers",
                str(options["workers"]),
                # Threads: a long download (a company's export streams for minutes) keeps one
                # thread busy, not the whole process, and is not killed by the worker timeout.
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                # No gunicorn access log: ExtraMile logs each request itself, with its request
                # id and route name and without the query string (docs/operations.md, "Logs").
                "--config",
                "python:extramile.ops.gunicorn_conf",
                "--graceful-timeout",
                "10",
            ],
            env=env,
        )

        def stop(signum: int, frame: object) -> None:
            server.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            code = server.wait()
        except KeyboardInterrupt:
            server.terminate()
            code = server.wait()
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)
        if code not in (0, -signal.SIGTERM, -signal.SIGINT):
            raise CommandError(f"The web server stopped with exit code {code}.")
