"""System checks: refuse to start with settings that would corrupt stored times."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register()
def utc_storage(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    if settings.TIME_ZONE != "UTC":
        errors.append(
            Error(
                f"TIME_ZONE is {settings.TIME_ZONE!r}; ExtraMile stores every time in UTC.",
                hint="Set TIME_ZONE = 'UTC'. Users and the company have their own time zones.",
                id="extramile.E001",
            )
        )
    if not settings.USE_TZ:
        errors.append(Error("USE_TZ is off; ExtraMile needs aware datetimes.", id="extramile.E002"))
    return errors
