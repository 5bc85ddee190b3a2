"""The admin shows only what the product lets an admin see: team stories (and their kudos and
weeks), read-only. Private stories and check-ins are nobody's business but their author's, so they
have no admin page at all (docs/culture.md); a lookup in the address (``?visibility=private``,
``?what_done__startswith=…``) only ever searches team stories."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from extramile.culture.models import Kudos, Story, StoryOfTheWeek, Visibility


class TeamStoriesOnly(admin.ModelAdmin):
    """Rows whose story is a team story, to look at (and delete, for a story that should not be
    told); written and changed only on the product's pages, which keep the rules."""

    story_path = ""  # the lookup from this model to its story ("" for Story itself)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .filter(**{f"{self.story_path}visibility": Visibility.TEAM})
        )

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Story)
class StoryAdmin(TeamStoriesOnly):
    list_display = ("date", "author", "customer", "headline")
    raw_id_fields = ("author", "customer", "coworker", "service_request")
    date_hierarchy = "date"


@admin.register(Kudos)
class KudosAdmin(TeamStoriesOnly):
    story_path = "story__"
    list_display = ("story", "giver", "message", "created_at")
    raw_id_fields = ("story", "giver")


@admin.register(StoryOfTheWeek)
class StoryOfTheWeekAdmin(TeamStoriesOnly):
    story_path = "story__"
    list_display = ("week_start", "story", "chosen_by")
    raw_id_fields = ("story", "chosen_by")
