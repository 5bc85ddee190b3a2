"""Move the extra-mile story texts kept on service requests (before stories existed) into Story
rows: one private draft per resolved went-wrong request, by whoever resolved it (the assignee when
the timeline does not say), dated the company's local day it was resolved. The text also stays on
the request, as written. No Today prompt is made for these old drafts."""

import zoneinfo

from django.db import migrations

BATCH = 1000


def forwards(apps, schema_editor):
    ServiceRequest = apps.get_model("service", "ServiceRequest")
    ServiceEvent = apps.get_model("service", "ServiceEvent")
    Story = apps.get_model("culture", "Story")
    Company = apps.get_model("accounts", "Company")
    company = Company.objects.filter(pk=1).first()
    zone = zoneinfo.ZoneInfo(company.time_zone if company else "America/New_York")
    requests = (
        ServiceRequest.objects.filter(went_wrong=True, resolved_at__isnull=False)
        .exclude(story="")
        .exclude(pk__in=Story.objects.filter(service_request__isnull=False).values("service_request"))
        .order_by("pk")
    )
    batch = []
    for request in requests.iterator(chunk_size=BATCH):
        resolver = (
            ServiceEvent.objects.filter(request=request, kind="resolved", user__isnull=False)
            .order_by("-at", "-pk")
            .values_list("user_id", flat=True)
            .first()
        )
        batch.append(
            Story(
                author_id=resolver or request.assignee_id,
                customer_id=request.customer_id,
                date=request.resolved_at.astimezone(zone).date(),
                situation="\n\n".join(p for p in (request.subject, request.details) if p),
                what_done=request.story,
                visibility="private",
                service_request_id=request.pk,
                created_at=request.resolved_at,
                updated_at=request.resolved_at,
            )
        )
        if len(batch) >= BATCH:
            Story.objects.bulk_create(batch)
            batch = []
    Story.objects.bulk_create(batch)


def backwards(apps, schema_editor):
    """The texts are still on the requests: dropping the drafts made from them is enough."""
    Story = apps.get_model("culture", "Story")
    Story.objects.filter(service_request__isnull=False, visibility="private").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("culture", "0001_stories_kudos_check_ins"),
        ("service", "0002_default_targets"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
