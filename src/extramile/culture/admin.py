from django.contrib import admin
from django.http import HttpRequest

from extramile.culture.models import CheckIn, Kudos, Story, StoryOfTheWeek


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ("date", "author", "customer", "visibility", "headline")
    list_filter = ("visibility",)
    raw_id_fields = ("author", "customer", "coworker", "service_request")
    date_hierarchy = "date"


@admin.register(Kudos)
class KudosAdmin(admin.ModelAdmin):
    list_display = ("story", "giver", "message", "created_at")
    raw_id_fields = ("story", "giver")


@admin.register(StoryOfTheWeek)
class StoryOfTheWeekAdmin(admin.ModelAdmin):
    list_display = ("week_start", "story", "chosen_by")
    raw_id_fields = ("story", "chosen_by")


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    """Counts only: the scores and notes are the user's own, not for the admin to read here."""

    list_display = ("day", "user")
    fields = ("user", "day")
    readonly_fields = ("user", "day")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
