from django.contrib import admin
from django.http import HttpRequest

from extramile.service.models import ServiceEvent, ServiceRequest, ServiceTarget


@admin.register(ServiceTarget)
class ServiceTargetAdmin(admin.ModelAdmin):
    list_display = ("priority", "first_response_minutes", "resolve_minutes")


class ServiceEventInline(admin.TabularInline):
    model = ServiceEvent
    extra = 0
    fields = ("at", "kind", "user", "text")
    readonly_fields = fields
    can_delete = False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    """Read-mostly: changes go through the Service pages, which keep the clocks, the timeline and
    Today in step. The admin is for looking things up."""

    list_display = ("__str__", "customer", "priority", "status", "assignee", "opened_at", "due_at")
    list_filter = ("status", "priority", "went_wrong")
    search_fields = ("subject", "customer__last_name", "customer__first_name")
    raw_id_fields = ("opened_by",)
    date_hierarchy = "opened_at"
    readonly_fields = (
        "customer",
        "status",
        "priority",
        "assignee",
        "opened_at",
        "first_response_at",
        "resolved_at",
        "first_response_due_at",
        "resolve_due_at",
        "paused_at",
        "response_paused_minutes",
        "resolve_paused_minutes",
        "due_at",
        "updated_at",
    )
    inlines = [ServiceEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # opened on the Service page, which starts the clocks and the Today row
