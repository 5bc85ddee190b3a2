from django.contrib import admin

from extramile.feeds.models import CalendarFeed


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """The links' hashes only; an admin can revoke a link by setting “revoked at”."""

    list_display = ("user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    readonly_fields = ("user", "prefix", "key_hash", "created_at", "last_used_at")

    def has_add_permission(self, request, obj=None):
        return False
