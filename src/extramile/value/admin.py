from django.contrib import admin

from extramile.value.models import Invitation, ValueRun, ValueScore


@admin.register(ValueScore)
class ValueScoreAdmin(admin.ModelAdmin):
    list_display = ("customer", "score", "rank", "rank_in_book", "tier", "computed_at")
    list_filter = ("tier",)
    raw_id_fields = ("customer",)
    ordering = ("rank",)


@admin.register(ValueRun)
class ValueRunAdmin(admin.ModelAdmin):
    list_display = ("day", "scored", "tiers_changed", "seconds", "finished_at")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("customer", "owner", "kind", "status", "suggested_on", "meal_on")
    list_filter = ("status", "kind")
    raw_id_fields = ("customer", "owner")
