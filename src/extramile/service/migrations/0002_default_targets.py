"""The default response and resolution targets, one row per priority (business minutes)."""

from django.db import migrations

DEFAULTS = {
    "urgent": (60, 240),
    "high": (120, 540),
    "normal": (240, 1620),
    "low": (540, 2700),
}


def create_targets(apps, schema_editor):
    ServiceTarget = apps.get_model("service", "ServiceTarget")
    for priority, (first, resolve) in DEFAULTS.items():
        ServiceTarget.objects.get_or_create(
            priority=priority,
            defaults={"first_response_minutes": first, "resolve_minutes": resolve},
        )


class Migration(migrations.Migration):
    dependencies = [("service", "0001_service_requests")]

    operations = [migrations.RunPython(create_targets, migrations.RunPython.noop)]
