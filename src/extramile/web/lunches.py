"""The Lunches page: this period's suggestion and the open invitations with their next step, the
history, and the rep's best customers by value score. The same buttons work on Today's row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from extramile import clock
from extramile.book.models import Customer
from extramile.value import lunches
from extramile.value.models import OPEN_INVITATIONS, Invitation
from extramile.web.htmx import is_htmx
from extramile.web.today import answer, current_user

BEST = 25
HISTORY = 30


@login_required
def lunch_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    day = user.local_date(clock.now())
    invitations = Invitation.objects.visible_to(user).select_related("customer", "owner")
    held_back = {
        invitation.pk: item
        for invitation, item in lunches.items(day, invitations.filter(status__in=OPEN_INVITATIONS))
    }
    best = (
        Customer.objects.visible_to(user)
        .filter(value_score__isnull=False, status="customer")
        .select_related("value_score", "owner")
        .order_by("-value_score__score", "pk")[:BEST]
    )
    context = {
        "day": day,
        "open": [
            (invitation, held_back.get(invitation.pk))
            for invitation in invitations.filter(status__in=OPEN_INVITATIONS).order_by(
                "suggested_on", "pk"
            )
        ],
        "history": invitations.exclude(status__in=OPEN_INVITATIONS).order_by("-updated_at", "-pk")[
            :HISTORY
        ],
        "best": best,
        "value_question": lunches.VALUE_QUESTION,
        "show_owner": user.sees_team,
    }
    return render(request, "value/lunches.html", context)


def step(
    request: HttpRequest, pk: int, how: Callable[[Invitation], Invitation], note: str
) -> HttpResponse:
    """Run one change; answer Today's row (htmx) or go back to the page with a message."""
    invitation = get_object_or_404(
        Invitation.objects.visible_to(current_user(request)).select_related("customer", "owner"),
        pk=pk,
    )
    error = ""
    try:
        invitation = how(invitation)
    except ValidationError as problem:
        error = " ".join(problem.messages)
    action = lunches.action_of(invitation)
    if is_htmx(request) and action is not None:
        return answer(request, action, error=error, note="" if error else note)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, note)
    return redirect(request.POST.get("next") or "lunches")


def parse_day(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        raise ValidationError("Write the date as YYYY-MM-DD.") from None


@require_POST
@login_required
def invited(request: HttpRequest, pk: int) -> HttpResponse:
    kind, answer_text = request.POST.get("kind", ""), request.POST.get("value_answer", "")
    return step(
        request,
        pk,
        lambda i: lunches.invite(i, clock.now(), kind, answer_text),
        "Invited. Now wait for their answer.",
    )


@require_POST
@login_required
def accepted(request: HttpRequest, pk: int) -> HttpResponse:
    raw = request.POST.get("meal_on", "")
    return step(
        request,
        pk,
        lambda i: lunches.accept(i, clock.now(), parse_day(raw)),
        "Accepted: it is on Today for the day of the meal.",
    )


@require_POST
@login_required
def held(request: HttpRequest, pk: int) -> HttpResponse:
    post = request.POST
    return step(
        request,
        pk,
        lambda i: lunches.hold(
            i,
            clock.now(),
            notes=post.get("notes", ""),
            meal_on=parse_day(post.get("meal_on", "")),
            value_answer=post.get("value_answer", ""),
        ),
        "Held. It counts as a contact.",
    )


@require_POST
@login_required
def declined(request: HttpRequest, pk: int) -> HttpResponse:
    notes = request.POST.get("notes", "")
    return step(request, pk, lambda i: lunches.decline(i, clock.now(), notes), "Declined.")


@require_POST
@login_required
def cancelled(request: HttpRequest, pk: int) -> HttpResponse:
    notes = request.POST.get("notes", "")
    return step(request, pk, lambda i: lunches.cancel(i, clock.now(), notes), "Cancelled.")


urlpatterns: list[URLPattern] = [
    path("lunches/", lunch_list, name="lunches"),
    path("lunches/<int:pk>/invited/", invited, name="lunch-invited"),
    path("lunches/<int:pk>/accepted/", accepted, name="lunch-accepted"),
    path("lunches/<int:pk>/held/", held, name="lunch-held"),
    path("lunches/<int:pk>/declined/", declined, name="lunch-declined"),
    path("lunches/<int:pk>/cancelled/", cancelled, name="lunch-cancelled"),
]
