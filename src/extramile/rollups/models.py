"""Figures over a whole book, counted once a day per owner and kept (see ``store.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class OwnerRollup(models.Model):
    """One rollup's figures for one owner's book, as counted at ``computed_at``."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=40)
    computed_at = models.DateTimeField()
    data = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="rollup_once_per_owner")
        ]

    def __str__(self) -> str:
        return f"{self.name} for {self.owner_id} at {self.computed_at:%Y-%m-%d %H:%M}"


class ScopeRollup(models.Model):
    """Figures for one scope (the set of books a user sees: ``insights.analytics.scope_key``)."""

    name = models.CharField(max_length=40)
    scope = models.CharField(max_length=64)
    computed_at = models.DateTimeField()
    data = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "scope"], name="rollup_once_per_scope")
        ]

    def __str__(self) -> str:
        return f"{self.name} for {self.scope} at {self.computed_at:%Y-%m-%d %H:%M}"
