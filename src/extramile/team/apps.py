from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def reinstall_triggers(using: str = "default", **kwargs: Any) -> None:
    """After every ``migrate``: put back the triggers of ``team/triggers.py`` that a migration
    dropped (SQLite drops a table's triggers when it rebuilds the table)."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from extramile.team import triggers

    connection = connections[using]
    applied = MigrationRecorder(connection).applied_migrations()
    if ("team", "0002_repday_triggers") in applied:
        triggers.install(connection)


class TeamConfig(AppConfig):
    name = "extramile.team"
    label = "team"
    verbose_name = "Team dashboard"

    def ready(self) -> None:
        # The rollups: the weekly trend's finished weeks and the finished days kept per rep.
        from extramile.team import days, trend  # noqa: F401

        post_migrate.connect(reinstall_triggers, sender=self, dispatch_uid="team-triggers")
