"""The idea bank page, the week page (intention and surprises) and the Today rows' buttons for the
weekly intention and the weekly surprise. Thin: the rules are in ``extramile.ideas``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from extramile import clock
from extramile.agenda.models import Action
from extramile.ideas import services, week
from extramile.ideas.habits import INTENTION, INTENTION_REVIEW, SURPRISE
from extramile.ideas.models import Idea, Surprise, WeeklyIntention
from extramile.web.htmx import is_htmx
from extramile.web.today import answer, current_user

HISTORY_WEEKS = 12


def _idea_row(request: HttpRequest, idea: Idea, error: str = "") -> HttpResponse:
    """The idea's row for htmx; back to the page with a message otherwise."""
    user = current_user(request)
    if is_htmx(request):
        row = services.with_counts(Idea.objects.filter(pk=idea.pk), user).select_related("author")
        context = {"idea": row.get(), "error": error, "can_edit": services.can_edit(user, idea)}
        return render(request, "ideas/_idea.html", context)
    if error:
        messages.error(request, error)
    return redirect(request.POST.get("next") or "ideas")


@login_required
def ideas_page(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    tag = request.GET.get("tag", "").strip().lower()
    sort = request.GET.get("sort", services.Sort.VOTES)
    if sort not in services.Sort.CHOICES:
        sort = services.Sort.VOTES
    form = {"text": "", "tags": ""}
    error = ""
    status = 200
    if request.method == "POST":
        form = {"text": request.POST.get("text", ""), "tags": request.POST.get("tags", "")}
        try:
            services.add_idea(user, form["text"], form["tags"], clock.now())
        except ValidationError as problem:
            error, status = " ".join(problem.messages), 400
        else:
            messages.success(request, "Thank you: the idea is in the bank.")
            return redirect("ideas")
    ideas = list(services.bank(user, tag, sort))
    context = {
        "ideas": [(idea, services.can_edit(user, idea)) for idea in ideas],
        "tags": services.all_tags(),
        "tag": tag,
        "sort": sort,
        "sorts": [
            (services.Sort.VOTES, "Most votes"),
            (services.Sort.NEWEST, "Newest"),
            (services.Sort.LEAST_USED, "Least used by me"),
        ],
        "form": form,
        "error": error,
        "suggestions": services.suggest(user, clock.now()),
    }
    return render(request, "ideas/ideas.html", context, status=status)


def _idea(pk: int) -> Idea:
    return get_object_or_404(Idea, pk=pk)


@require_POST
@login_required
def idea_vote(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _idea(pk)
    try:
        services.toggle_vote(idea, current_user(request), clock.now())
    except ValidationError as problem:
        return _idea_row(request, idea, " ".join(problem.messages))
    return _idea_row(request, idea)


@require_POST
@login_required
def idea_used(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _idea(pk)
    try:
        services.record_use(idea, current_user(request), clock.now())
    except ValidationError as problem:
        return _idea_row(request, idea, " ".join(problem.messages))
    return _idea_row(request, idea)


@login_required
def idea_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    idea = _idea(pk)
    if not services.can_edit(user, idea):
        raise PermissionDenied("Only the idea's author or a manager can change it.")
    form = {"text": idea.text, "tags": idea.tags}
    error = ""
    if request.method == "POST":
        form = {"text": request.POST.get("text", ""), "tags": request.POST.get("tags", "")}
        try:
            if request.POST.get("retire"):
                services.set_active(user, idea, False)
                messages.success(request, "Retired: it is no longer suggested.")
                return redirect("ideas")
            if request.POST.get("restore"):
                services.set_active(user, idea, True)
                messages.success(request, "The idea is back in the bank.")
                return redirect("ideas")
            services.edit_idea(user, idea, form["text"], form["tags"])
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, "Saved.")
            return redirect("ideas")
    context = {"idea": idea, "form": form, "error": error}
    return render(request, "ideas/idea_edit.html", context, status=400 if error else 200)


# --- The week -------------------------------------------------------------------------------------


@login_required
def week_page(request: HttpRequest) -> HttpResponse:
    """This week's intention (set, reword, review) and the recent weeks' intentions and surprises."""
    user = current_user(request)
    now = clock.now()
    day = user.local_date(now)
    start = week.week_start(day)
    error = ""
    if request.method == "POST":
        try:
            what = request.POST.get("do", "save")
            if what in {"kept", "not-kept"}:
                chosen = dt.date.fromisoformat(request.POST.get("week", ""))
                week.review_intention(user, chosen, what == "kept", now)
                messages.success(request, "Noted. A new week, a new intention.")
            else:
                week.save_intention(user, request.POST.get("text", ""), now, start)
                messages.success(request, "Your intention for the week is set.")
            return redirect("week")
        except (ValidationError, ValueError) as problem:
            error = (
                " ".join(problem.messages)
                if isinstance(problem, ValidationError)
                else "Pick a week (YYYY-MM-DD)."
            )
    days = week.working_days(week.company_hours(), start)
    since = start - dt.timedelta(weeks=HISTORY_WEEKS)
    intentions = WeeklyIntention.objects.filter(user=user, week_start__gte=since)
    context: dict[str, Any] = {
        "day": day,
        "start": start,
        "current": next((i for i in intentions if i.week_start == start), None),
        "review_open": bool(days) and day >= days[-1],
        "history": [i for i in intentions if i.week_start < start],
        "surprises": Surprise.objects.filter(user=user, week_start__gte=since).select_related(
            "customer", "coworker", "idea"
        ),
        "error": error,
        "text": request.POST.get("text", "") if error else "",
    }
    return render(request, "ideas/week.html", context, status=400 if error else 200)


def _own_action(request: HttpRequest, pk: int, kind: str) -> Action:
    """The user's own action of ``kind`` (a week's intention and surprise are personal)."""
    action = get_object_or_404(Action.objects.select_related("customer", "owner"), pk=pk, kind=kind)
    if action.owner_id != current_user(request).pk:
        raise Http404("No such action.")
    return action


@require_POST
@login_required
def intention_save(request: HttpRequest, pk: int) -> HttpResponse:
    action = _own_action(request, pk, INTENTION.kind)
    if not INTENTION.key.owns(action.key):
        raise Http404("Not an intention.")
    try:
        week.save_intention(
            current_user(request),
            request.POST.get("text", ""),
            clock.now(),
            week.key_week(action.key),
        )
    except ValidationError as problem:
        return answer(request, action, error=" ".join(problem.messages))
    action.refresh_from_db()
    return answer(request, action, note="Your intention is set. Go for it.")


@require_POST
@login_required
def intention_review(request: HttpRequest, pk: int, kept: str) -> HttpResponse:
    action = _own_action(request, pk, INTENTION.kind)
    if not INTENTION_REVIEW.owns(action.key) or kept not in {"kept", "not-kept"}:
        raise Http404("Not an intention review.")
    try:
        week.review_intention(
            current_user(request), week.key_week(action.key), kept == "kept", clock.now()
        )
    except ValidationError as problem:
        return answer(request, action, error=" ".join(problem.messages))
    action.refresh_from_db()
    note = "Kept it. Well done." if kept == "kept" else "Noted. Next week is a fresh start."
    return answer(request, action, note=note)


@require_POST
@login_required
def surprise_done(request: HttpRequest, pk: int) -> HttpResponse:
    action = _own_action(request, pk, SURPRISE.kind)
    try:
        action = week.finish_surprise(
            action,
            current_user(request),
            clock.now(),
            what=request.POST.get("what", ""),
            value_answer=request.POST.get("value_answer", ""),
            used_idea=request.POST.get("used_idea") == "1",
        )
    except ValidationError as problem:
        return answer(request, action, error=" ".join(problem.messages))
    return answer(request, action, note="Done. Somebody's week just got better.")


urlpatterns = [
    path("ideas/", ideas_page, name="ideas"),
    path("ideas/<int:pk>/vote/", idea_vote, name="idea-vote"),
    path("ideas/<int:pk>/used/", idea_used, name="idea-used"),
    path("ideas/<int:pk>/edit/", idea_edit, name="idea-edit"),
    path("ideas/week/", week_page, name="week"),
    path("ideas/intention/<int:pk>/", intention_save, name="intention-save"),
    path("ideas/intention/<int:pk>/<slug:kept>/", intention_review, name="intention-review"),
    path("ideas/surprise/<int:pk>/done/", surprise_done, name="surprise-done"),
]
