"""The triggers that drop a rep's kept days when a record counted in them is written (see
``team/triggers.py``)."""

from django.db import migrations

from extramile.team.triggers import install, uninstall


def create(apps, schema_editor):
    install(schema_editor.connection)


def drop(apps, schema_editor):
    uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("team", "0001_initial"),
        ("agenda", "0008_action_kind_from_the_habit_registry"),
        ("outreach", "0002_call_user_at"),
        ("cards", "0008_monthly_occasion"),
        ("inbox", "0002_source_mailbox"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
