from django.contrib import admin

from extramile.cards.models import Card, CardTemplate, MonthlyTheme, Occasion, OccasionPreference


@admin.register(Occasion)
class OccasionAdmin(admin.ModelAdmin):
    list_display = ("name", "source", "holiday", "per_household", "sends_by_default")
    list_filter = ("source", "per_household", "sends_by_default")
    search_fields = ("name", "code", "holiday")
    prepopulated_fields = {"code": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "code", "greeting", "source", "per_household")}),
        ("When", {"fields": ("holiday", "month", "day", "weekday", "nth")}),
        ("Who and what", {"fields": ("sends_by_default", "handwritten", "template")}),
    )


@admin.register(CardTemplate)
class CardTemplateAdmin(admin.ModelAdmin):
    list_display = ("occasion", "user")
    list_filter = ("occasion",)
    raw_id_fields = ("user",)


@admin.register(OccasionPreference)
class OccasionPreferenceAdmin(admin.ModelAdmin):
    list_display = ("customer", "occasion", "wants_card")
    list_filter = ("occasion", "wants_card")
    raw_id_fields = ("customer",)


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ("__str__", "occasion", "owner", "mail_by", "status", "handwritten")
    list_filter = ("status", "occasion", "handwritten")
    search_fields = ("customer__last_name", "household__name")
    raw_id_fields = ("owner", "customer", "household", "sale")
    date_hierarchy = "mail_by"
    readonly_fields = ("personal", "created_at", "updated_at")


@admin.register(MonthlyTheme)
class MonthlyThemeAdmin(admin.ModelAdmin):
    list_display = ("month", "name", "line")
    ordering = ("month",)
