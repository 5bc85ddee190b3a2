"""The private calendar feed (no login: the secret in the URL is the key) and its settings page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from extramile import clock
from extramile.accounts import throttle
from extramile.accounts.models import Door
from extramile.feeds import ical, links
from extramile.web.today import current_user


@require_safe
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The feed. A wrong, revoked or inactive user's secret is a 404, never a 403: it does not
    tell whether a link ever existed. A client with too many wrong links lately gets a 429 with
    Retry-After before its link is looked at (``extramile.accounts.throttle``)."""
    now = clock.now()
    client = throttle.client_address(request)
    try:
        throttle.check_door(Door.CALENDAR, client, now)
    except throttle.Throttled as locked:
        response = HttpResponse(str(locked), status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(locked.retry_after)
        return response
    feed = links.find(secret, now)
    if feed is None:
        throttle.refused(Door.CALENDAR, client, now)
        raise Http404("No such calendar.")
    response = HttpResponse(ical.feed(feed.user, now), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="extramile.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


def feed_urls(request: HttpRequest, secret: str) -> tuple[str, str]:
    """The https (or http) link and the webcal:// link for calendar apps."""
    url = request.build_absolute_uri(reverse("calendar-feed", args=[secret]))
    return url, "webcal://" + url.split("://", 1)[1]


@never_cache
@login_required
def calendar_settings(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    context: dict[str, object] = {}
    if request.method == "POST":
        now = clock.now()
        if request.POST.get("do") == "revoke":
            if links.revoke(user, now):
                messages.success(
                    request,
                    "Your calendar link is turned off: calendars subscribed to it stop updating.",
                )
            return redirect("calendar-settings")
        _, secret = links.issue(user, now)
        context["url"], context["webcal"] = feed_urls(request, secret)
    context["feed"] = links.live(user)
    return render(request, "feeds/settings.html", context)


urlpatterns = [
    path("calendar/<str:secret>.ics", calendar_feed, name="calendar-feed"),
    path("settings/calendar/", calendar_settings, name="calendar-settings"),
]
