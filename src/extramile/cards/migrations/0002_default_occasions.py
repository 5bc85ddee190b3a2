"""The occasions every company starts with. Admins change them, or add their own, in the admin."""

from django.db import migrations

PERSONAL = "Dear {preferred_name},\n\n"

DEFAULTS = [
    # code, name, greeting, source, holiday, per_household, sends_by_default, template
    (
        "birthday",
        "Birthday",
        "Happy birthday",
        "birthday",
        "",
        False,
        True,
        PERSONAL + "Happy birthday! I hope the day treats you well and the year ahead even better.\n\nWith warm wishes,",
    ),
    (
        "wedding",
        "Wedding anniversary",
        "Happy anniversary",
        "wedding",
        "",
        True,
        True,
        PERSONAL + "Happy anniversary to you both! Here's to many more happy years together.\n\nAll the best,",
    ),
    (
        "purchase",
        "Purchase anniversary",
        "Happy anniversary",
        "purchase",
        "",
        False,
        True,
        PERSONAL + "Another year has gone by since your {last_purchase}, and I wanted to say thank you again.\n\nKind regards,",
    ),
    (
        "customer_since",
        "Customer anniversary",
        "Thank you",
        "customer_since",
        "",
        False,
        True,
        PERSONAL + "Thank you for another year as our customer: your trust means a great deal to me.\n\nWith thanks,",
    ),
    (
        "key_date",
        "Their key dates",
        "Thinking of you",
        "key_date",
        "",
        False,
        True,
        PERSONAL + "I know today matters to you, and I wanted you to know I remembered.\n\nWarmly,",
    ),
    ("christmas", "Christmas", "Merry Christmas", "holiday", "christmas", True, True,
     PERSONAL + "Wishing you a peaceful Christmas and a happy time with the people you love.\n\nWarm wishes,"),
    ("new_year", "New Year", "Happy New Year", "holiday", "new_year", True, True,
     PERSONAL + "Happy New Year! Thank you for being part of my year; I hope the new one is your best yet.\n\nAll the best,"),
    ("easter", "Easter", "Happy Easter", "holiday", "easter", True, False,
     PERSONAL + "Wishing you a joyful Easter.\n\nWarm wishes,"),
    ("orthodox_easter", "Orthodox Easter", "Christ is risen", "holiday", "orthodox_easter", True, False,
     PERSONAL + "Wishing you a joyful Easter.\n\nWarm wishes,"),
    ("thanksgiving", "Thanksgiving", "Happy Thanksgiving", "holiday", "thanksgiving", True, False,
     PERSONAL + "This Thanksgiving I'm thankful for customers like you.\n\nWarm wishes,"),
    ("hanukkah", "Hanukkah", "Happy Hanukkah", "holiday", "hanukkah", True, False,
     PERSONAL + "Wishing you and yours a bright and happy Hanukkah.\n\nWarm wishes,"),
    ("diwali", "Diwali", "Happy Diwali", "holiday", "diwali", True, False,
     PERSONAL + "Wishing you a Diwali full of light and joy.\n\nWarm wishes,"),
    ("eid_al_fitr", "Eid al-Fitr", "Eid Mubarak", "holiday", "eid_al_fitr", True, False,
     PERSONAL + "Eid Mubarak to you and your family.\n\nWarm wishes,"),
    ("lunar_new_year", "Lunar New Year", "Happy Lunar New Year", "holiday", "lunar_new_year", True, False,
     PERSONAL + "Wishing you health and good fortune in the new year.\n\nWarm wishes,"),
]


def create(apps, schema_editor):
    Occasion = apps.get_model("cards", "Occasion")
    for code, name, greeting, source, holiday, per_household, default, template in DEFAULTS:
        Occasion.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "greeting": greeting,
                "source": source,
                "holiday": holiday,
                "per_household": per_household,
                "sends_by_default": default,
                "template": template,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("cards", "Occasion").objects.filter(code__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("cards", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
