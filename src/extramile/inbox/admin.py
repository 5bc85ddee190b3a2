from django.contrib import admin

from extramile.inbox.models import InboundMessage


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = [
        "received_at",
        "channel",
        "from_address",
        "customer",
        "owner",
        "reply_due_at",
        "replied_at",
        "response_minutes",
        "breached",
        "source",
    ]
    list_filter = ["channel", "breached", "source"]
    search_fields = ["from_address", "from_name", "summary", "external_id"]
    raw_id_fields = ["customer", "owner", "replied_by"]
    date_hierarchy = "received_at"
