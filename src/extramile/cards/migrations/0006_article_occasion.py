"""The built-in occasion for articles by post: the letter an article mailing becomes when the
customer has no e-mail address or prefers post (see articles/delivery.py). The letter's text is
written when the mailing goes out (the article's title, summary and address); the template is
only the starting point should the rep reopen the letter and rewrite it."""

from django.db import migrations

TEMPLATE = (
    "Dear {preferred_name},\n\n"
    "I came across an article that made me think of you, and I would like to hear what you "
    "make of it.\n\n"
    "All the best,"
)


def create(apps, schema_editor):
    Occasion = apps.get_model("cards", "Occasion")
    Occasion.objects.get_or_create(
        code="article",
        defaults={
            "name": "Article by post",
            "greeting": "Thought of you",
            "source": "article",
            "per_household": False,
            "sends_by_default": True,
            "handwritten": False,
            "template": TEMPLATE,
        },
    )


def remove(apps, schema_editor):
    Occasion = apps.get_model("cards", "Occasion")
    Card = apps.get_model("cards", "Card")
    Card.objects.filter(occasion__code="article").delete()
    Occasion.objects.filter(code="article").delete()


class Migration(migrations.Migration):
    dependencies = [("cards", "0005_article_letters")]

    operations = [migrations.RunPython(create, remove)]
