from django.contrib import admin
from django.http import HttpRequest

from extramile import clock
from extramile.outbox import services
from extramile.outbox.models import OutboxMessage, Unsubscribe


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-mostly: a person only decides about failed or unknown messages (retry or cancel)."""

    list_display = ("subject", "to_address", "kind", "status", "attempts", "queued_at", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("to_address", "subject", "key")
    date_hierarchy = "queued_at"
    raw_id_fields = ("customer", "user")
    actions = ("retry", "cancel")

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in OutboxMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Send again (failed or unknown messages)")
    def retry(self, request: HttpRequest, queryset: object) -> None:
        ids = list(queryset.values_list("id", flat=True))  # type: ignore[attr-defined]
        count = services.requeue(ids, clock.now())
        self.message_user(request, f"{count} message(s) queued again.")

    @admin.action(description="Cancel (not sent yet)")
    def cancel(self, request: HttpRequest, queryset: object) -> None:
        ids = list(queryset.values_list("id", flat=True))  # type: ignore[attr-defined]
        count = services.cancel(ids, f"Cancelled by {request.user} in the admin.")
        self.message_user(request, f"{count} message(s) cancelled.")


@admin.register(Unsubscribe)
class UnsubscribeAdmin(admin.ModelAdmin):
    list_display = ("customer", "at", "how", "cancelled")
    list_filter = ("how",)
    raw_id_fields = ("customer",)
    date_hierarchy = "at"
