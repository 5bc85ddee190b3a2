"""The built-in monthly card programme (off until the company switches it on in Settings): the
programme's occasion "monthly" (a customer's opt-out from it is an opt-out of the programme), one
occasion per month ("monthly-01" …, one card per household and month) and twelve themes the
company edits."""

from django.db import migrations

TEMPLATE = "Dear {preferred_name},\n\n{theme}\n\nWarm wishes,"
THEMES = [
    (1, "A fresh start", "A new year is a fresh page, and I hope yours fills with good things."),
    (2, "Warm hearts", "In the coldest month, a warm thought from me to you."),
    (3, "First signs of spring", "The days are getting longer, and I hope spring finds you well."),
    (4, "Spring cleaning", "As everything turns green again, I wanted to say hello."),
    (5, "In bloom", "May is in full bloom, and I hope your days are too."),
    (6, "Long evenings", "Here's to long light evenings and time with the people you love."),
    (7, "Summer", "I hope summer brings you rest, sunshine and a change of scene."),
    (8, "Slow days", "Before the busy autumn, I hope you get a few slow days."),
    (9, "Back to it", "As the year picks up pace again, I wanted you to know I'm here."),
    (10, "Autumn colours", "The leaves are turning, and I was thinking of you."),
    (11, "Gratitude", "This month I'm counting the people I'm grateful for, and you are one."),
    (12, "Year's end", "As the year draws to a close, thank you for being part of it."),
]


def create(apps, schema_editor):
    Occasion = apps.get_model("cards", "Occasion")
    MonthlyTheme = apps.get_model("cards", "MonthlyTheme")
    Occasion.objects.get_or_create(
        code="monthly",
        defaults={
            "name": "Monthly card",
            "greeting": "Thinking of you",
            "source": "monthly",
            "per_household": True,
            "sends_by_default": True,
            "template": TEMPLATE,
        },
    )
    for month, name, line in THEMES:
        MonthlyTheme.objects.get_or_create(month=month, defaults={"name": name, "line": line})
        Occasion.objects.get_or_create(
            code=f"monthly-{month:02d}",
            defaults={
                "name": f"Monthly card ({name})",
                "greeting": "Thinking of you",
                "source": "monthly",
                "month": month,
                "per_household": True,
                "sends_by_default": True,
                "template": TEMPLATE,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("cards", "Card").objects.filter(occasion__source="monthly").delete()
    apps.get_model("cards", "Occasion").objects.filter(source="monthly").delete()
    apps.get_model("cards", "MonthlyTheme").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cards", "0007_branding_languages_monthly")]
    operations = [migrations.RunPython(create, remove)]
