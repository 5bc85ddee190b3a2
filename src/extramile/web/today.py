"""Today: the agenda, with done / skip / snooze completing in place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from extramile import clock
from extramile.accounts.models import User
from extramile.agenda import habits, services
from extramile.agenda.models import Action, ActionStatus
from extramile.book.forms import SnoozeForm
from extramile.culture.today import today_context
from extramile.offline.middleware import mark_problem
from extramile.outreach.coverage import capacity_warning
from extramile.web.htmx import is_htmx

# Today shows the most important thirty; a longer list is a backlog, a click away.
PAGE = 30


def current_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def today(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    now = clock.now()
    day = user.local_date(now)
    agenda = services.today(user, day)
    show_all = request.GET.get("all") == "1"
    actions = list(agenda if show_all else agenda[: PAGE + 1])
    habits.prefetch(actions)  # each kind's records for the page's rows, one query per kind
    total = len(actions) if len(actions) <= PAGE or show_all else agenda.count()
    context = {
        **row_context(day),
        **today_context(user, day),  # the story of the week and the daily check-in
        "actions": actions[:PAGE] if not show_all else actions,
        "total": total,
        "hidden": 0 if show_all else max(0, total - PAGE),
        "overdue": agenda.filter(due_on__lt=day).count(),
        "calls_warning": capacity_warning(user),
        "done_today": Action.objects.filter(
            owner=user,
            status=ActionStatus.DONE,
            completed_at__gte=now - dt.timedelta(hours=24),
        ).count(),
    }
    return render(request, "agenda/today.html", context)


def row_context(day: dt.date) -> dict[str, object]:
    """What every agenda row needs, computed once per page rather than once per row."""
    return {
        "day": day,
        # From the habit registry: kinds whose row brings its own buttons
        # (``agenda/kinds/<kind>.html``), shows its own deadline, or asks the value question.
        "kind_rows": habits.kinds_where(has_row=True),
        "own_deadline": habits.kinds_where(own_deadline=True),
        "value_kinds": habits.kinds_where(value_adding=True),
        "value_question": services.VALUE_QUESTION,
        "tomorrow_iso": (day + dt.timedelta(days=1)).isoformat(),
        "actions_url": reverse("action-done", args=[0]).removesuffix("0/done/"),
    }


def answer(request: HttpRequest, action: Action, error: str = "", note: str = "") -> HttpResponse:
    """The action's row for htmx; a redirect with a message otherwise."""
    if is_htmx(request):
        day = action.owner.local_date(clock.now())
        context = {"action": action, "error": error, "note": note, **row_context(day)}
        response = render(request, "agenda/_action.html", context)
        if error:
            # Said in a header too, for the offline queue's replay (a conflict to show).
            mark_problem(response, error)
        return response
    if error:
        messages.error(request, error)
    elif note:
        messages.success(request, note)
    return redirect(request.POST.get("next") or "today")


def owned_action(request: HttpRequest, pk: int) -> Action:
    return get_object_or_404(
        Action.objects.visible_to(current_user(request)).select_related("customer", "owner"), pk=pk
    )


def close(
    request: HttpRequest, pk: int, how: Callable[..., Action], field: str, note: str
) -> HttpResponse:
    action = owned_action(request, pk)
    try:
        action = how(action, clock.now(), request.POST.get(field, ""))
    except ValidationError as error:
        return answer(request, action, error=" ".join(error.messages))
    return answer(request, action, note=note)


@require_POST
@login_required
def done(request: HttpRequest, pk: int) -> HttpResponse:
    action = owned_action(request, pk)
    try:
        action = services.complete(
            action,
            clock.now(),
            request.POST.get("outcome", ""),
            value_answer=request.POST.get("value_answer", ""),
        )
    except ValidationError as error:
        return answer(request, action, error=" ".join(error.messages))
    return answer(request, action, note="Done. Nice work.")


@require_POST
@login_required
def skip(request: HttpRequest, pk: int) -> HttpResponse:
    return close(request, pk, services.skip, "reason", "Skipped.")


@require_POST
@login_required
def snooze(request: HttpRequest, pk: int) -> HttpResponse:
    action = owned_action(request, pk)
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        return answer(request, action, error="Pick a valid day to snooze until (YYYY-MM-DD).")
    try:
        action = services.snooze(action, clock.now(), form.cleaned_data["until"])
    except ValidationError as error:
        return answer(request, action, error=" ".join(error.messages))
    return answer(request, action, note=f"Snoozed until {action.due_on:%a %d %b}.")


@require_POST
@login_required
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    action = services.reopen(owned_action(request, pk), clock.now())
    return answer(request, action)
