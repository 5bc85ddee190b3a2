from django.contrib import admin

from extramile.articles.models import Article, ArticleMailing, CustomerTopic


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "topics", "language", "active")
    list_filter = ("active", "language")
    search_fields = ("title", "url", "topics")


@admin.register(ArticleMailing)
class ArticleMailingAdmin(admin.ModelAdmin):
    list_display = ("customer", "article", "planned_on", "status", "channel", "owner")
    list_filter = ("status", "channel")
    raw_id_fields = ("customer", "owner", "article")
    date_hierarchy = "planned_on"


@admin.register(CustomerTopic)
class CustomerTopicAdmin(admin.ModelAdmin):
    list_display = ("customer", "topic")
    raw_id_fields = ("customer",)
    search_fields = ("topic",)
