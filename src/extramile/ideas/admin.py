from django.contrib import admin

from extramile.ideas.models import Idea, IdeaUse, IdeaVote, Surprise, WeeklyIntention


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = ("text", "tags", "author", "created_at", "active")
    list_filter = ("active",)
    search_fields = ("text", "tags")
    raw_id_fields = ("author",)


@admin.register(IdeaVote)
class IdeaVoteAdmin(admin.ModelAdmin):
    list_display = ("idea", "user", "created_at")
    raw_id_fields = ("idea", "user")


@admin.register(IdeaUse)
class IdeaUseAdmin(admin.ModelAdmin):
    list_display = ("idea", "user", "at", "customer")
    raw_id_fields = ("idea", "user", "customer")


@admin.register(WeeklyIntention)
class WeeklyIntentionAdmin(admin.ModelAdmin):
    list_display = ("user", "week_start", "text", "kept")
    list_filter = ("kept",)
    raw_id_fields = ("user",)


@admin.register(Surprise)
class SurpriseAdmin(admin.ModelAdmin):
    list_display = ("user", "week_start", "reason", "customer", "coworker", "done_at")
    list_filter = ("reason",)
    raw_id_fields = ("user", "customer", "coworker", "idea")
