"""Prometheus metrics (prometheus-client) at ``/metrics``, behind ``EXTRAMILE_METRICS_TOKEN``.

Two kinds:

- **request latency**, a histogram by route name, method and status class, observed by
  ``RequestMetricsMiddleware`` in each web process. Under gunicorn with several processes set
  ``PROMETHEUS_MULTIPROC_DIR`` (``extramile serve`` does it for you) so that every process writes
  its samples there and any one of them answers the scrape with the sum.
- **the state of the service**, gauges counted from the database at scrape time by
  ``DatabaseCollector`` with a handful of indexed queries: the task queue, the outbox, replies
  past their deadline, the last nightly plan of each zone, mailboxes whose last poll failed, and
  the workers' heartbeats. They are the same whichever process answers.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, F, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from extramile import clock

log = logging.getLogger("extramile.request")

REQUEST_SECONDS = Histogram(
    "extramile_http_request_duration_seconds",
    "Time to answer a web or API request, by route name (the URL pattern's name).",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or match.route or "unnamed"
    if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return "static"
    return "unmatched"


class RequestMetricsMiddleware:
    """Times each request and writes one access line (route name, never the query string: a
    search is a customer's name, and a calendar link's path is its secret)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        route = route_of(request)
        REQUEST_SECONDS.labels(
            route, request.method or "", f"{response.status_code // 100}xx"
        ).observe(elapsed)
        if route != "static":
            log.info(
                "%s %s %s %.0f ms", request.method, route, response.status_code, elapsed * 1000
            )
        return response


def _gauge(name: str, text: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, text, labels=labels)


class DatabaseCollector(Collector):
    """Gauges read from the database when Prometheus scrapes (each query uses an index)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = _gauge("extramile_database_up", "1 when the database answered the scrape's queries.")
        try:
            families = list(self.families(clock.now()))
        except DatabaseError:
            log.warning("The metrics' database queries failed.")
            up.add_metric([], 0)
            yield up
            return
        finally:
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()
        up.add_metric([], 1)
        yield up
        yield from families

    def families(self, now: dt.datetime) -> Iterator[GaugeMetricFamily]:
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from extramile.inbox.models import InboundMessage
        from extramile.mailsync.models import MailboxConnection
        from extramile.ops.models import WorkerHeartbeat
        from extramile.outbox.models import OutboxMessage, Status

        depth = _gauge(
            "extramile_task_queue_depth", "Tasks waiting to run (due now or later).", ["queue"]
        )
        ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        for queue, count in (
            ready.values_list("queue_name").annotate(n=Count("id")).order_by("queue_name")
        ):
            depth.add_metric([queue], count)
        yield depth
        oldest = ready.filter(run_after__lte=now).aggregate(at=Min("enqueued_at"))["at"]
        age = _gauge(
            "extramile_task_queue_oldest_age_seconds",
            "How long the oldest task that is due has waited (0: none waiting).",
        )
        age.add_metric([], max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        yield age
        running = _gauge("extramile_tasks_running", "Tasks a worker is running now.")
        running.add_metric([], DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count())
        yield running

        outbox = _gauge(
            "extramile_outbox_messages",
            "E-mail in the outbox by state (sent: in the last 24 hours).",
            ["state"],
        )
        for state in (Status.QUEUED, Status.SENDING, Status.UNKNOWN, Status.FAILED):
            outbox.add_metric([state.value], OutboxMessage.objects.filter(status=state).count())
        outbox.add_metric(
            ["sent"],
            OutboxMessage.objects.filter(sent_at__gte=now - dt.timedelta(days=1)).count(),
        )
        yield outbox

        breaching = _gauge(
            "extramile_replies_breaching", "Inbound messages unanswered past their reply deadline."
        )
        breaching.add_metric(
            [],
            InboundMessage.objects.filter(replied_at__isnull=True, reply_due_at__lt=now).count(),
        )
        yield breaching

        yield from self.plans(now)

        failing = _gauge(
            "extramile_mailbox_poll_errors",
            "Connected mailboxes whose last poll failed (each says why on Settings → Mailbox).",
        )
        mailboxes = MailboxConnection.objects.filter(paused=False)
        failing.add_metric(
            [],
            mailboxes.filter(last_error_at__isnull=False, last_ok_at__isnull=True).count()
            + mailboxes.filter(
                last_error_at__isnull=False, last_ok_at__lt=F("last_error_at")
            ).count(),
        )
        yield failing
        connected = _gauge("extramile_mailboxes_connected", "Mailboxes connected and not paused.")
        connected.add_metric([], mailboxes.count())
        yield connected

        seen = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True)
        last = seen.first()
        heartbeat = _gauge(
            "extramile_worker_heartbeat_age_seconds",
            "Seconds since the most recent worker heartbeat (-1: no worker ever reported).",
        )
        heartbeat.add_metric([], (now - last).total_seconds() if last else -1.0)
        yield heartbeat
        alive = _gauge("extramile_workers_alive", "Workers seen in the last two minutes.")
        alive.add_metric(
            [], WorkerHeartbeat.objects.filter(seen_at__gte=now - dt.timedelta(minutes=2)).count()
        )
        yield alive

    def plans(self, now: dt.datetime) -> Iterator[GaugeMetricFamily]:
        """The latest nightly plan of each zone claimed in the last three days: when it finished
        and how long it ran (from the scheduler's claim and the task's own times)."""
        from django_tasks_db.models import DBTaskResult

        from extramile.agenda.models import ScheduledRun

        runs = ScheduledRun.objects.filter(
            key__startswith="plan:", created_at__gte=now - dt.timedelta(days=3)
        ).values_list("key", "task_id", "created_at")
        latest: dict[str, tuple[str, str]] = {}
        for key, task_id, _created in sorted(runs, key=lambda row: row[2]):
            _, zone, day = key.split(":", 2) if key.count(":") >= 2 else (key, key, "")
            latest[zone] = (day, task_id)
        tasks = {
            str(pk): (status, started, finished)
            for pk, status, started, finished in DBTaskResult.objects.filter(
                pk__in=[task_id for _, task_id in latest.values() if task_id]
            ).values_list("pk", "status", "started_at", "finished_at")
        }
        finished_at = _gauge(
            "extramile_plan_last_finished_timestamp_seconds",
            "When the zone's latest nightly plan finished (Unix time; 0: not finished yet).",
            ["zone", "day"],
        )
        duration = _gauge(
            "extramile_plan_last_duration_seconds",
            "How long the zone's latest finished nightly plan ran.",
            ["zone", "day"],
        )
        for zone, (day, task_id) in sorted(latest.items()):
            _status, started, finished = tasks.get(task_id, ("", None, None))
            finished_at.add_metric([zone, day], finished.timestamp() if finished else 0.0)
            if started and finished:
                duration.add_metric([zone, day], (finished - started).total_seconds())
        yield finished_at
        yield duration


_database_registry = CollectorRegistry(auto_describe=False)
_database_registry.register(DatabaseCollector())


def exposition() -> bytes:
    """The text Prometheus reads: the request histogram (summed over gunicorn's processes when
    PROMETHEUS_MULTIPROC_DIR is set), then the database gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        requests = generate_latest(registry)
    else:
        requests = generate_latest(REGISTRY)
    return requests + generate_latest(_database_registry)


def authorized(request: HttpRequest) -> bool:
    token = settings.EXTRAMILE_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """404 while no token is set (the endpoint does not exist), 401 without the right token."""
    if not settings.EXTRAMILE_METRICS_TOKEN:
        raise Http404
    if not authorized(request):
        response = HttpResponse(
            "A bearer token is needed.\n", status=401, content_type="text/plain"
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
