from django.contrib import admin

from extramile.playbook.models import Competitor, MoveCheck, Opportunity


@admin.register(Competitor)
class CompetitorAdmin(admin.ModelAdmin):
    list_display = ("name", "updated_by", "updated_at")
    search_fields = ("name", "what_they_do", "our_difference")
    raw_id_fields = ("created_by", "updated_by")


class MoveCheckInline(admin.TabularInline):
    model = MoveCheck
    extra = 0
    raw_id_fields = ("updated_by",)


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ("title", "customer", "owner", "stage", "value", "expected_close", "closed_on")
    list_filter = ("stage", "competitor")
    search_fields = ("title",)
    raw_id_fields = ("customer", "owner")
    inlines = [MoveCheckInline]
