from django.contrib import admin

from extramile.book import models


class EmailInline(admin.TabularInline):
    model = models.EmailAddress
    extra = 0


class PhoneInline(admin.TabularInline):
    model = models.PhoneNumber
    extra = 0


class KeyDateInline(admin.TabularInline):
    model = models.KeyDate
    extra = 0


class FactInline(admin.TabularInline):
    model = models.Fact
    extra = 0


class PromiseInline(admin.TabularInline):
    model = models.Promise
    extra = 0
    fields = ("kind", "description", "due_on", "met_at")


@admin.register(models.Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("__str__", "owner", "status", "tier", "last_contact_at", "city", "country")
    list_filter = ("status", "tier", "tier_by_hand", "owner", "country")
    search_fields = ("first_name", "last_name", "company_name", "emails__address", "phones__number")
    raw_id_fields = ("household",)
    inlines = [EmailInline, PhoneInline, KeyDateInline, FactInline, PromiseInline]


@admin.register(models.Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "country")
    search_fields = ("name",)


@admin.register(models.Relationship)
class RelationshipAdmin(admin.ModelAdmin):
    list_display = ("from_customer", "kind", "to_customer")
    list_filter = ("kind",)
    raw_id_fields = ("from_customer", "to_customer")


@admin.register(models.KeyDate)
class KeyDateAdmin(admin.ModelAdmin):
    list_display = ("customer", "kind", "label", "month", "day", "year")
    list_filter = ("kind",)
    raw_id_fields = ("customer",)


@admin.register(models.Fact)
class FactAdmin(admin.ModelAdmin):
    list_display = ("customer", "category", "text", "pinned", "learned_on")
    list_filter = ("category", "pinned")
    search_fields = ("text", "tags")
    raw_id_fields = ("customer",)


@admin.register(models.Sale)
class SaleAdmin(admin.ModelAdmin):
    list_display = ("customer", "date", "description", "amount")
    raw_id_fields = ("customer",)
    date_hierarchy = "date"


@admin.register(models.Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ("referrer", "referred", "date", "reward_amount", "reward_status")
    list_filter = ("reward_status",)
    raw_id_fields = ("referrer", "referred", "sale")


@admin.register(models.Promise)
class PromiseAdmin(admin.ModelAdmin):
    list_display = ("customer", "kind", "description", "due_on", "met_at")
    list_filter = ("kind",)
    raw_id_fields = ("customer",)
