"""Lockouts on the web: the page a locked-out sign-in gets (django-axes' AXES_LOCKOUT_CALLABLE),
which says when to try again, and the admins' page that lists and lifts lockouts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from extramile import clock
from extramile.accounts import throttle
from extramile.accounts.models import Company
from extramile.web.today import current_user


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """429 with a page that says until when sign-in from here waits (in the company's time zone,
    and in minutes), and a Retry-After header. The same page for a user name that exists and one
    that does not, and whether or not the password was right."""
    now = clock.now()
    until = throttle.sign_in_locked_until(
        throttle.axes_username(request, credentials), throttle.axes_client_address(request), now
    ) or (now + throttle.lockout_period())
    response = render(
        request,
        "registration/locked_out.html",
        {
            "until": until,
            "zone": Company.get().time_zone,
            "minutes": throttle.minutes_left(until, now),
        },
        status=429,
    )
    response["Retry-After"] = str(throttle.retry_after(until, now))
    return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, counted (``throttle.reset_requested``): too many requests from one
    address or for one mailbox get 429 and the form again, saying when to try; no mail goes."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        now = clock.now()
        try:
            throttle.reset_requested(
                throttle.client_address(self.request), form.cleaned_data["email"], now
            )
        except throttle.Throttled as error:
            form.add_error(None, str(error))
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(error.retry_after)
            return response
        return super().form_valid(form)


@login_required
def lockouts_page(request: HttpRequest) -> HttpResponse:
    """Settings → Sign-in lockouts (admins only): every lockout in force, each with Unlock."""
    user = current_user(request)
    if not user.is_admin_role:
        raise PermissionDenied("Only an admin lifts lockouts.")
    if request.method == "POST":
        who = request.POST.get("who", "").strip()
        if request.POST.get("kind") == "user name" and who:
            throttle.unlock_username(who)
            messages.success(request, f"Sign-in as “{who}” is unlocked.")
        elif request.POST.get("kind") == "address" and who:
            throttle.unlock_address(who)
            messages.success(request, f"The address {who} is unlocked.")
        else:
            messages.error(request, "Say what to unlock: a user name or an address.")
        return redirect("lockouts")
    now = clock.now()
    rows = [
        (lockout, lockout.until, throttle.minutes_left(lockout.until, now))
        for lockout in throttle.lockouts(now)
    ]
    return render(
        request,
        "web/lockouts.html",
        {
            "rows": rows,
            "zone": user.zone().key,
            "limit": throttle.failure_limit(),
            "period": int(throttle.lockout_period().total_seconds() // 60),
        },
    )


urlpatterns = [
    path("settings/lockouts/", lockouts_page, name="lockouts"),
    path("password-reset/", PasswordResetView.as_view(), name="password_reset"),
]
