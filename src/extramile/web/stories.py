"""Stories (the feed, a story, the form, kudos, the story of the week) and the daily check-in (the
Today block and the trend page). Thin: the rules are in ``extramile.culture``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from extramile import clock
from extramile.accounts.models import Company, User
from extramile.book.models import Customer
from extramile.book.services import search_customers
from extramile.culture import checkins, services
from extramile.culture.forms import StoryForm
from extramile.culture.models import Kudos, Story, Visibility
from extramile.culture.today import today_context
from extramile.web.htmx import is_htmx
from extramile.web.today import current_user

PAGE = 30
FINDER = 20
PERIODS = {"week": "This week", "month": "This month"}


def _kudos_prefetch() -> Prefetch[Any]:
    return Prefetch("kudos", queryset=Kudos.objects.select_related("giver"))


def _stories(user: User) -> QuerySet[Story]:
    return services.with_kudos_count(Story.objects.visible_to(user)).select_related(
        "author", "customer", "coworker"
    )


def _seen_customers(user: User, stories: list[Story]) -> set[int]:
    """Stories are company-wide, customers are not: link (and name) only those the viewer sees."""
    ids = {s.customer_id for s in stories if s.customer_id is not None}
    return set(Customer.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def feed(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    day = user.local_date(clock.now())
    stories = _stories(user)
    filters: dict[str, Any] = {
        "author": _int(request.GET.get("author")),
        "customer": _int(request.GET.get("customer")),
        "kudos": request.GET.get("kudos") == "1",
        "period": request.GET.get("period") if request.GET.get("period") in PERIODS else "",
        "mine": request.GET.get("mine") == "1",
    }
    if filters["mine"]:
        stories = stories.filter(author=user)
    elif filters["author"]:
        stories = stories.filter(author_id=filters["author"])
    if filters["customer"]:
        stories = stories.filter(
            customer__in=Customer.objects.visible_to(user).filter(pk=filters["customer"])
        )
    if filters["kudos"]:
        stories = stories.filter(Exists(Kudos.objects.filter(story=OuterRef("pk"))))
    if filters["period"] == "week":
        stories = stories.filter(date__gte=services.week_start(day), date__lte=day)
    elif filters["period"] == "month":
        stories = stories.filter(date__gte=day.replace(day=1), date__lte=day)
    page = list(stories.prefetch_related(_kudos_prefetch()).order_by("-date", "-id")[: PAGE + 1])
    authors = User.objects.filter(stories__in=Story.objects.visible_to(user)).distinct()
    context = {
        "stories": page[:PAGE],
        "more": len(page) > PAGE,
        "filters": filters,
        "periods": PERIODS,
        "authors": authors.order_by("first_name", "username"),
        "seen_customers": _seen_customers(user, page),
        "can_feature": services.can_choose_story_of_the_week(user),
        "featured": services.story_of_the_week(day),
    }
    return render(request, "culture/feed.html", context)


def _story_or_404(request: HttpRequest, pk: int) -> Story:
    """Another user's private story is a 404, as if it did not exist."""
    user = current_user(request)
    return get_object_or_404(_stories(user).prefetch_related(_kudos_prefetch()), pk=pk)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    story = _story_or_404(request, pk)
    context = {
        "story": story,
        "seen_customers": _seen_customers(user, [story]),
        "can_feature": services.can_choose_story_of_the_week(user) and not story.is_private,
        "featured": services.story_of_the_week(user.local_date(clock.now())),
    }
    return render(request, "culture/detail.html", context)


def _form_customer(user: User, raw: object) -> Customer | None:
    pk = _int(str(raw)) if raw else None
    return Customer.objects.visible_to(user).filter(pk=pk).first() if pk else None


@login_required
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Write a story (``?customer=<id>`` prefills the customer; ``?find=`` looks one up), or edit
    one of your own."""
    user = current_user(request)
    now = clock.now()
    story = get_object_or_404(Story, pk=pk, author=user) if pk is not None else None
    error = ""
    status = 200
    if request.method == "POST":
        form = StoryForm(request.POST, author=user)
        if form.is_valid():
            data = form.cleaned_data
            customer = _form_customer(user, data["customer"])
            try:
                if data["customer"] and customer is None:
                    raise ValidationError("Choose a customer from your own book.")
                story = services.save_story(
                    user,
                    now,
                    what_done=data["what_done"],
                    date=data["date"],
                    situation=data["situation"],
                    reaction=data["reaction"],
                    lesson=data["lesson"],
                    visibility=data["visibility"],
                    customer=customer,
                    coworker=data["coworker"],
                    story=story,
                )
            except ValidationError as problem:
                error = " ".join(problem.messages)
            else:
                messages.success(request, "Story saved. Thank you for writing it down.")
                return redirect("story", story.pk)
        status = 422
        customer = _form_customer(user, request.POST.get("customer"))
    else:
        initial: dict[str, Any] = {"date": user.local_date(now), "visibility": Visibility.TEAM}
        if story is not None:
            initial = {
                "date": story.date,
                "situation": story.situation,
                "what_done": story.what_done,
                "reaction": story.reaction,
                "lesson": story.lesson,
                "visibility": story.visibility,
                "customer": story.customer_id,
                "coworker": story.coworker_id,
            }
        elif request.GET.get("customer"):
            initial["customer"] = request.GET["customer"]
        form = StoryForm(initial=initial, author=user)
        customer = _form_customer(user, initial.get("customer"))
    find = request.GET.get("find", "").strip()[:100]
    matches: list[Customer] = []
    if find:
        found = search_customers(Customer.objects.visible_to(user), find, Company.get().country)
        matches = list(found.order_by("last_name", "first_name")[:FINDER])
    context = {
        "form": form,
        "story": story,
        "customer": customer,
        "error": error,
        "find": find,
        "matches": matches,
    }
    return render(request, "culture/edit.html", context, status=status)


@login_required
def from_request(request: HttpRequest, request_id: int) -> HttpResponse:
    """Today's “Finish it” on a went-wrong request's draft: the author's edit page."""
    story = get_object_or_404(Story, service_request_id=request_id, author=current_user(request))
    return redirect("story-edit", story.pk)


@require_POST
@login_required
def kudos(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    story = _story_or_404(request, pk)
    error = ""
    try:
        services.give_kudos(story, user, clock.now(), request.POST.get("message", ""))
    except ValidationError as problem:
        error = " ".join(problem.messages)
    if is_htmx(request):
        story = _story_or_404(request, pk)
        return render(request, "culture/_kudos.html", {"story": story, "error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Kudos given.")
    return redirect(request.POST.get("next") or reverse("story", args=[pk]))


@require_POST
@login_required
def feature(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    story = _story_or_404(request, pk)
    try:
        services.choose_story_of_the_week(story, user, clock.now())
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, "This is now the story of the week, on everyone's Today.")
    return redirect(request.POST.get("next") or reverse("story", args=[pk]))


@require_POST
@login_required
def check_in(request: HttpRequest) -> HttpResponse:
    """Today's one-tap check-in; the block swaps in place."""
    user = current_user(request)
    now = clock.now()
    error = ""
    try:
        checkins.check_in(user, now, request.POST.get("score", ""), request.POST.get("note", ""))
    except ValidationError as problem:
        error = " ".join(problem.messages)
    if is_htmx(request):
        context = {**today_context(user, user.local_date(now)), "check_in_error": error}
        return render(request, "culture/_check_in.html", context, status=422 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Checked in. See you tomorrow.")
    return redirect(request.POST.get("next") or "today")


@login_required
def trend(request: HttpRequest) -> HttpResponse:
    """The user's own 90 days (scores and notes); for a manager or an admin, also the team's daily
    average and count — never anyone else's score or note."""
    user = current_user(request)
    day = user.local_date(clock.now())
    mine = checkins.own_trend(user, day)
    team: list[checkins.DayAverage] = []
    team_chart = None
    show_team = checkins.team_members(user).exists()
    if show_team:
        team = checkins.team_average(user, day)
        team_chart = checkins.chart(
            [(d.day, d.average) for d in team if d.average is not None], day
        )
    context = {
        "day": day,
        "mine": list(reversed(mine)),
        "my_chart": checkins.chart([(c.day, float(c.score)) for c in mine], day),
        "average": (round(sum(c.score for c in mine) / len(mine), 1) if mine else None),
        "show_team": show_team,
        "team": list(reversed(team)),
        "team_chart": team_chart,
        "min_group": checkins.MIN_GROUP,
        "days": checkins.TREND_DAYS,
        **today_context(user, day),
    }
    return render(request, "culture/check_ins.html", context)


urlpatterns: list[URLPattern] = [
    path("stories/", feed, name="stories"),
    path("stories/new/", edit, name="story-new"),
    path("stories/<int:pk>/", detail, name="story"),
    path("stories/<int:pk>/edit/", edit, name="story-edit"),
    path("stories/<int:pk>/kudos/", kudos, name="story-kudos"),
    path("stories/<int:pk>/feature/", feature, name="story-feature"),
    path("stories/from-request/<int:request_id>/", from_request, name="story-from-request"),
    path("check-ins/", trend, name="check-ins"),
    path("check-ins/today/", check_in, name="check-in"),
]
