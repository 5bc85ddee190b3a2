from django.contrib import admin
from django.urls import include, path

from extramile.api import api

admin.site.site_header = "ExtraMile administration"
admin.site.site_title = "ExtraMile"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("extramile.web.urls")),
]
