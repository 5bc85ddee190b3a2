from django.contrib import admin

from extramile.agenda.models import Action, ScheduledRun


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "owner", "due_on", "priority", "status")
    list_filter = ("kind", "status", "priority")
    search_fields = ("key", "title")
    raw_id_fields = ("owner", "customer", "household")
    date_hierarchy = "due_on"


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    list_display = ("key", "task_id", "created_at")
    search_fields = ("key",)
