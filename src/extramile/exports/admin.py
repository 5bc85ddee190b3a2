from django.contrib import admin

from extramile.exports.models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    """Read-only: an audit trail that can be edited is no audit trail."""

    list_display = ("at", "username", "action", "what", "customer_id", "via")
    list_filter = ("action", "via")
    search_fields = ("username", "customer_id")
    date_hierarchy = "at"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
