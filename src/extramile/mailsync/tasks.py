"""The poll job, enqueued by the scheduler every minute while a mailbox is connected."""

from __future__ import annotations

from django_tasks import task

from extramile import clock


@task()
def poll_mailboxes() -> dict[str, object]:
    """Poll every connected mailbox that is due (each at most every few minutes)."""
    from extramile.mailsync.poll import poll_due

    results = poll_due(clock.now())
    return {
        "polled": len(results),
        "failed": sum(1 for result in results if not result.ok),
        "clocks_stopped": sum(result.clocks_stopped for result in results),
    }
