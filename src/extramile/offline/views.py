"""The installable app: the manifest, the service worker (served from the site root so its scope
is the whole site), the page shown when a page was never opened online, and a logout that clears
what the browser kept."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from django.contrib.auth import views as auth_views
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

THEME = "#0f6b5c"
BACKGROUND = "#f6f7fb"

# What the service worker keeps from the start: enough to draw any page it has a copy of.
SHELL_FILES = [
    "extramile/extramile.css",
    "extramile/road.css",
    "extramile/htmx-2.0.4.min.js",
    "extramile/offline.js",
    "extramile/icon.svg",
    "extramile/icons.svg",  # the navigation's icons (lucide sprite)
    "extramile/icons/icon-192.png",
]


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    icons = [
        {"src": static("extramile/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("extramile/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("extramile/icons/maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    data = {
        "id": "/",
        "name": "ExtraMile",
        "short_name": "ExtraMile",
        "description": "Your day with your customers: Today, calls, replies and notes.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME,
        "background_color": BACKGROUND,
        "icons": icons,
    }
    response = JsonResponse(data, json_dumps_params={"indent": 1})
    response["Content-Type"] = "application/manifest+json"
    return response


@cache
def _worker_source() -> str:
    path = finders.find("extramile/sw.js")
    assert isinstance(path, str), "extramile/sw.js is missing from the static files"
    return Path(path).read_text(encoding="utf-8")


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js``: our own worker, with the shell's (hashed) URLs and a version that changes
    whenever they or the worker change, so an update replaces the old caches."""
    shell = [static(name) for name in SHELL_FILES] + ["/offline/"]
    source = _worker_source()
    version = hashlib.sha256((json.dumps(shell) + source).encode()).hexdigest()[:12]
    head = f"const VERSION = {json.dumps(version)};\nconst SHELL = {json.dumps(shell)};\n"
    response = HttpResponse(head + source, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline_page(request: HttpRequest) -> HttpResponse:
    """Shown for a page the phone has no copy of. Cached by the worker for everyone, so it holds
    nothing of any user."""
    return render(request, "offline/offline.html", {"theme": THEME})


class LogoutView(auth_views.LogoutView):
    """Django's logout, telling the browser to forget what it kept of this user: the worker's
    caches, the offline queue, the worker itself (``Clear-Site-Data``; the page's script has
    cleared them already, this covers a logout from elsewhere)."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
