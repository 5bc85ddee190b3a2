"""``/healthz`` (the process answers) and ``/readyz`` (the database answers, every migration is
applied, a worker's heartbeat is younger than two minutes). Both answer JSON; ``/readyz`` is 503
with the failing checks named when any fails. Neither needs a login nor shows anything private.
"""

from __future__ import annotations

import time

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from extramile import clock
from extramile.ops import heartbeat

# Once every migration is applied it stays so for this code: checked again after this long only.
_MIGRATIONS_OK_FOR = 300.0
_migrations_ok_until = 0.0


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def unapplied_migrations() -> int:
    global _migrations_ok_until
    if time.monotonic() < _migrations_ok_until:
        return 0
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        _migrations_ok_until = time.monotonic() + _MIGRATIONS_OK_FOR
    return len(plan)


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError as exc:
        checks["database"] = f"unreachable ({exc.__class__.__name__})"
        checks["migrations"] = "unknown"
        checks["worker"] = "unknown"
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    try:
        missing = unapplied_migrations()
        checks["migrations"] = "ok" if not missing else f"{missing} not applied"
        now = clock.now()
        seen = heartbeat.youngest(now)
        if seen is None:
            checks["worker"] = "no worker has ever reported"
        elif now - seen > heartbeat.ALIVE:
            checks["worker"] = f"last heartbeat {int((now - seen).total_seconds())} s ago"
        else:
            checks["worker"] = "ok"
    except DatabaseError as exc:
        checks.setdefault("migrations", "unknown")
        checks["worker"] = f"unknown ({exc.__class__.__name__})"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
