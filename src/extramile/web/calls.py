"""The Calls page (today's calls, coverage per tier, the capacity warning) and the one-click call
outcomes on Today's call rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from extramile import clock
from extramile.accounts.models import Company, User
from extramile.agenda.models import Action
from extramile.business_hours import for_user
from extramile.outreach import outcomes
from extramile.outreach.coverage import coverage, kept_coverage, tier_chart
from extramile.outreach.habits import CALL
from extramile.outreach.models import Call
from extramile.team import trend
from extramile.web.today import answer, current_user, owned_action, row_context

RECENT = 20


def _note(request: HttpRequest) -> str:
    """The call's optional note (``summary`` is its older name)."""
    return request.POST.get("note", "") or request.POST.get("summary", "")


def _no_answer(request: HttpRequest, action: Action, now: dt.datetime) -> Call:
    return outcomes.no_answer(action, now, current_user(request), _note(request))


def _all_fine(request: HttpRequest, action: Action, now: dt.datetime) -> Call:
    return outcomes.all_fine(action, now, current_user(request), _note(request))


def _service_need(request: HttpRequest, action: Action, now: dt.datetime) -> Call:
    return outcomes.service_need(
        action,
        now,
        current_user(request),
        subject=request.POST.get("subject", ""),
        details=request.POST.get("details", ""),
        priority=request.POST.get("priority", "normal"),
    )


def _referral(request: HttpRequest, action: Action, now: dt.datetime) -> Call:
    return outcomes.referral(
        action,
        now,
        current_user(request),
        name=request.POST.get("name", ""),
        phone=request.POST.get("phone", ""),
        email=request.POST.get("email", ""),
        note=request.POST.get("note", ""),
    )


def _sales_lead(request: HttpRequest, action: Action, now: dt.datetime) -> Call:
    return outcomes.sales_lead(
        action, now, current_user(request), note=request.POST.get("note", "")
    )


OUTCOMES: dict[str, Callable[[HttpRequest, Action, dt.datetime], Call]] = {
    "no-answer": _no_answer,
    "all-fine": _all_fine,
    "service-need": _service_need,
    "referral": _referral,
    "sales-lead": _sales_lead,
}


def note_for(call: Call) -> str:
    if call.outcome == "service_need":
        return "Service request opened: it is at the top of Today."
    if call.follow_up_id and call.outcome != "no_answer":
        assert call.follow_up is not None
        return f"Logged. Follow-up on {call.follow_up.due_on:%a %d %b}."
    return "Logged."


@require_POST
@login_required
def outcome(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Log what came of a call (``kind`` is one of ``OUTCOMES``) and answer with the row."""
    action = owned_action(request, pk)
    if action.kind != CALL.kind or kind not in OUTCOMES:
        raise Http404("No such call outcome.")
    try:
        call = OUTCOMES[kind](request, action, clock.now())
    except ValidationError as error:
        return answer(request, action, error=" ".join(error.messages))
    return answer(request, call.action, note=note_for(call))


@login_required
def calls_page(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    now = clock.now()
    day = user.local_date(now)
    company = Company.get()
    reps = list(User.objects.visible_to(user).active().order_by("first_name", "username"))
    todays = Action.objects.visible_to(user).filter(kind=CALL.kind, due_on=day)
    made: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for owner_id, status in todays.values_list("owner_id", "status"):
        made[owner_id][status] += 1
    # Your own book counted now (one book, with the customers the rotation cannot call); the
    # others' from the nightly rollup, so an admin's page does not count a million customers.
    others = [rep for rep in reps if rep.pk != user.pk]
    mine = coverage([user], now, company)[0] if any(rep.pk == user.pk for rep in reps) else None
    kept, counted_at = kept_coverage(others, now, company)
    team = [
        (rep, dict(made[rep.rep.pk]), rep.warning(yours=False))
        for rep in kept
        if rep.customers or made[rep.rep.pk]
    ]
    weekly = trend.weekly([rep.pk for rep in reps], day, now, keys=["calls"])
    context = {
        "trend": weekly,
        "trend_charts": trend.charts(weekly),
        "mine_chart": tier_chart([mine], "Your book within cadence, by tier") if mine else None,
        "team_chart": tier_chart(
            [rep for rep, _, _ in team], "The team's books within cadence, by tier"
        ),
        **row_context(day),
        "company": company,
        "mine": mine,
        "warning": mine.warning() if mine else "",
        "working_day": for_user(user, company).is_working_day(day),
        "actions": todays.filter(owner=user).select_related("customer").order_by("status", "id"),
        "team": team,
        "counted_at": counted_at,
        "recent": Call.objects.visible_to(user)
        .select_related("customer", "user")
        .order_by("-at", "-id")[:RECENT],
    }
    return render(request, "outreach/calls.html", context)


urlpatterns: list[URLPattern] = [
    path("calls/", calls_page, name="calls"),
    path("calls/<int:pk>/<slug:kind>/", outcome, name="call-outcome"),
]
