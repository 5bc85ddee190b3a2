"""The built-in thank-you occasion: a handwritten note after every sale (see cards/thanks.py)."""

from django.db import migrations

TEMPLATE = (
    "Dear {preferred_name},\n\n"
    "Thank you for choosing us for your {purchase}. I enjoyed helping you, and I hope it brings "
    "you a lot of pleasure. If anything is not quite right, call me: I'm here to help.\n\n"
    "With thanks,"
)


def create(apps, schema_editor):
    Occasion = apps.get_model("cards", "Occasion")
    Occasion.objects.get_or_create(
        code="thank_you",
        defaults={
            "name": "Thank-you note",
            "greeting": "Thank you",
            "source": "sale",
            "per_household": False,
            "sends_by_default": True,
            "handwritten": True,
            "template": TEMPLATE,
        },
    )


def remove(apps, schema_editor):
    apps.get_model("cards", "Occasion").objects.filter(code="thank_you").delete()


class Migration(migrations.Migration):
    dependencies = [("cards", "0003_thank_you_notes")]

    operations = [migrations.RunPython(create, remove)]
