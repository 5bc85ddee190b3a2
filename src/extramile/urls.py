from django.contrib import admin
from django.urls import include, path

from extramile.api import api
from extramile.ops import health, metrics

admin.site.site_header = "ExtraMile administration"
admin.site.site_title = "ExtraMile"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("extramile.web.urls")),
]
