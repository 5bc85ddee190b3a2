from django.contrib import admin

from extramile.outreach.models import Call


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("at", "customer", "outcome", "user", "note")
    list_filter = ("outcome",)
    search_fields = ("customer__first_name", "customer__last_name", "note")
    raw_id_fields = ("action", "customer", "follow_up", "referral")
    date_hierarchy = "at"
