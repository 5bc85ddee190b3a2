"""Pages: filled in by this capability."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
