"""The playbook pages: competitor notes, the moves with their win rates, opportunities and their
checklists. Thin: the rules are in ``extramile.playbook``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from extramile import clock
from extramile.accounts.models import User
from extramile.accounts.scoping import get_visible_or_404
from extramile.book.models import Customer
from extramile.playbook import rates, services
from extramile.playbook.models import (
    CLOSED_STAGES,
    MOVE_EXPLANATIONS,
    OPEN_STAGES,
    Competitor,
    Move,
    MoveUse,
    Opportunity,
    Stage,
)
from extramile.web.htmx import is_htmx
from extramile.web.today import current_user

PERIODS = [("90", "Last 90 days"), ("365", "Last 12 months"), ("all", "All time")]
PAGE_SIZE = 200


def _errors(problem: ValidationError) -> dict[str, str]:
    if hasattr(problem, "error_dict"):
        return {field: " ".join(texts) for field, texts in problem.message_dict.items()}
    return {"general": " ".join(problem.messages)}


def _owner_choice(request: HttpRequest, user: User) -> tuple[User | None, list[User]]:
    """The owner picked in a filter (only among visible users) and the choices to offer."""
    choices = list(User.objects.visible_to(user).active()) if user.sees_team else []
    raw = request.GET.get("owner", "")
    picked = next((u for u in choices if str(u.pk) == raw), None)
    return picked, choices


# --- The playbook: moves, win rates, competitors --------------------------------------------------


@login_required
def playbook_page(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    now = clock.now()
    today = user.local_date(now)
    period = request.GET.get("period", "365")
    if period not in dict(PERIODS):
        period = "365"
    since = None if period == "all" else today - dt.timedelta(days=int(period))
    owner, owners = _owner_choice(request, user)
    scope = Opportunity.objects.visible_to(user)
    if owner is not None:
        scope = scope.filter(owner=owner)
    chosen = rates.closed(scope, since=since, until=today)
    error = ""
    form = dict.fromkeys(services.COMPETITOR_FIELDS, "")
    if request.method == "POST":
        form = {field: request.POST.get(field, "") for field in services.COMPETITOR_FIELDS}
        try:
            competitor = services.save_competitor(user, form, now)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, f"Notes on {competitor} saved.")
            return redirect("playbook-competitor", pk=competitor.pk)
    context: dict[str, Any] = {
        "rates": rates.win_rates(chosen),
        "overall": rates.overall(chosen),
        "min_sample": rates.MIN_SAMPLE,
        "periods": PERIODS,
        "period": period,
        "owners": owners,
        "owner": owner,
        "competitors": Competitor.objects.all(),
        "form": form,
        "error": error,
    }
    return render(request, "playbook/playbook.html", context, status=400 if error else 200)


@login_required
def competitor_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    competitor = get_object_or_404(Competitor.objects.select_related("updated_by"), pk=pk)
    can_edit = services.can_edit_competitor(user, competitor)
    error = ""
    form = {field: getattr(competitor, field) for field in services.COMPETITOR_FIELDS}
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only a manager, an admin or the note's author can change it.")
        form = {field: request.POST.get(field, "") for field in services.COMPETITOR_FIELDS}
        try:
            services.save_competitor(user, form, clock.now(), competitor)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, "Saved.")
            return redirect("playbook-competitor", pk=competitor.pk)
    against = Opportunity.objects.visible_to(user).filter(competitor=competitor)
    context = {
        "competitor": competitor,
        "can_edit": can_edit,
        "form": form,
        "error": error,
        "tally": against.aggregate(
            won=Count("pk", filter=Q(stage=Stage.WON)),
            lost=Count("pk", filter=Q(stage=Stage.LOST)),
            open=Count("pk", filter=Q(stage__in=OPEN_STAGES)),
        ),
        "opportunities": against.select_related("customer", "owner")[:50],
    }
    return render(request, "playbook/competitor.html", context, status=400 if error else 200)


# --- Opportunities ----------------------------------------------------------------------------


def _opportunity_or_404(request: HttpRequest, pk: int) -> Opportunity:
    """Another team's opportunity is a 404: its existence is not revealed."""
    query = Opportunity.objects.select_related("customer", "owner", "competitor")
    return get_visible_or_404(query, current_user(request), pk=pk)


@login_required
def opportunity_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    found: QuerySet[Opportunity] = Opportunity.objects.visible_to(user)
    stage = request.GET.get("stage", "")
    if stage in Stage.values:
        found = found.filter(stage=stage)
    else:
        stage = ""
    state = request.GET.get("state", "open")
    if state == "open":
        found = found.filter(stage__in=OPEN_STAGES)
    elif state == "closed":
        found = found.filter(stage__in=CLOSED_STAGES)
    else:
        state = "all"
    owner, owners = _owner_choice(request, user)
    if owner is not None:
        found = found.filter(owner=owner)
    total = found.count()
    context = {
        "opportunities": found.select_related("customer", "owner", "competitor")[:PAGE_SIZE],
        "total": total,
        "page_size": PAGE_SIZE,
        "stages": Stage.choices,
        "stage": stage,
        "state": state,
        "owners": owners,
        "owner": owner,
        "today": user.local_date(clock.now()),
    }
    return render(request, "playbook/opportunities.html", context)


def _form_data(request: HttpRequest) -> dict[str, str]:
    fields = ("title", "stage", "value", "expected_close", "competitor", "notes", "owner")
    return {field: request.POST.get(field, "") for field in fields}


def _form_context(user: User, opportunity: Opportunity | None, **extra: Any) -> dict[str, Any]:
    can_pick_owner = user.sees_team
    return {
        "opportunity": opportunity,
        "open_stages": [(s.value, s.label) for s in OPEN_STAGES],
        "competitors": Competitor.objects.all(),
        "owners": list(User.objects.visible_to(user).active()) if can_pick_owner else [],
        **extra,
    }


@login_required
def opportunity_new(request: HttpRequest) -> HttpResponse:
    """New opportunity for ``?customer=<id>``; without one, a search for the customer first."""
    user = current_user(request)
    raw = request.GET.get("customer") or request.POST.get("customer") or ""
    if not raw.isdigit():
        q = request.GET.get("q", "").strip()
        matches = []
        if q:
            matches = list(
                Customer.objects.visible_to(user)
                .filter(Q(last_name__icontains=q) | Q(first_name__icontains=q))
                .order_by("last_name", "first_name")[:20]
            )
        return render(request, "playbook/pick_customer.html", {"q": q, "matches": matches})
    customer = get_object_or_404(Customer.objects.visible_to(user), pk=int(raw))
    errors: dict[str, str] = {}
    data: dict[str, str] = {"owner": str(customer.owner_id)}
    if request.method == "POST":
        data = _form_data(request)
        try:
            saved = services.save_opportunity(user, data, clock.now(), customer=customer)
        except ValidationError as problem:
            errors = _errors(problem)
        else:
            messages.success(request, "Opportunity added. Plan your moves below.")
            return redirect("opportunity", pk=saved.pk)
    context = _form_context(user, None, customer=customer, data=data, errors=errors)
    return render(request, "playbook/opportunity_form.html", context, status=400 if errors else 200)


@login_required
def opportunity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    opportunity = _opportunity_or_404(request, pk)
    errors: dict[str, str] = {}
    data = {
        "title": opportunity.title,
        "stage": opportunity.stage,
        "value": str(opportunity.value),
        "expected_close": opportunity.expected_close.isoformat()
        if opportunity.expected_close
        else "",
        "competitor": str(opportunity.competitor_id or ""),
        "notes": opportunity.notes,
        "owner": str(opportunity.owner_id),
    }
    if request.method == "POST":
        data = _form_data(request)
        try:
            services.save_opportunity(user, data, clock.now(), opportunity)
        except ValidationError as problem:
            errors = _errors(problem)
            opportunity.refresh_from_db()
        else:
            messages.success(request, "Saved.")
            return redirect("opportunity", pk=opportunity.pk)
    context = _form_context(
        user, opportunity, customer=opportunity.customer, data=data, errors=errors
    )
    return render(request, "playbook/opportunity_form.html", context, status=400 if errors else 200)


@login_required
def opportunity_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    opportunity = _opportunity_or_404(request, pk)
    context = {
        "opportunity": opportunity,
        "checklist": [
            (move, label, check, MOVE_EXPLANATIONS[move])
            for move, label, check in services.checklist(opportunity)
        ],
        "uses": MoveUse.choices,
        "open_stages": [(s.value, s.label) for s in OPEN_STAGES],
        "today": user.local_date(clock.now()),
    }
    return render(request, "playbook/opportunity.html", context)


@require_POST
@login_required
def opportunity_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    opportunity = _opportunity_or_404(request, pk)
    try:
        day = services.parse_date(request.POST.get("closed_on"), "close date")
        services.close(opportunity, request.POST.get("outcome", ""), user, clock.now(), day)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        won = opportunity.stage == Stage.WON
        messages.success(
            request, "Won. Well done!" if won else "Marked lost. Note what you learned."
        )
    return redirect("opportunity", pk=opportunity.pk)


@require_POST
@login_required
def opportunity_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _opportunity_or_404(request, pk)
    try:
        services.reopen(opportunity, clock.now(), request.POST.get("stage") or Stage.NEGOTIATION)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, f"Reopened at “{opportunity.get_stage_display()}”.")
    return redirect("opportunity", pk=opportunity.pk)


@require_POST
@login_required
def opportunity_move(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    """One checklist entry: used yes / no / not yet, and its note. The row for htmx."""
    user = current_user(request)
    opportunity = _opportunity_or_404(request, pk)
    if move not in Move.values:
        raise Http404("No such move.")
    error = ""
    note = request.POST.get("note") if "note" in request.POST else None
    try:
        check = services.set_move(
            opportunity, move, request.POST.get("used", ""), user, clock.now(), note
        )
    except ValidationError as problem:
        error = " ".join(problem.messages)
        check = next(c for m, _label, c in services.checklist(opportunity) if m == move)
    if is_htmx(request):
        context = {
            "opportunity": opportunity,
            "move": move,
            "label": Move(move).label,
            "check": check,
            "uses": MoveUse.choices,
            "explanation": MOVE_EXPLANATIONS[move],
            "error": error,
        }
        return render(request, "playbook/_move.html", context)
    if error:
        messages.error(request, error)
    return redirect("opportunity", pk=opportunity.pk)


urlpatterns = [
    path("playbook/", playbook_page, name="playbook"),
    path("playbook/competitors/<int:pk>/", competitor_page, name="playbook-competitor"),
    path("playbook/opportunities/", opportunity_list, name="opportunities"),
    path("playbook/opportunities/new/", opportunity_new, name="opportunity-new"),
    path("playbook/opportunities/<int:pk>/", opportunity_page, name="opportunity"),
    path("playbook/opportunities/<int:pk>/edit/", opportunity_edit, name="opportunity-edit"),
    path("playbook/opportunities/<int:pk>/close/", opportunity_close, name="opportunity-close"),
    path("playbook/opportunities/<int:pk>/reopen/", opportunity_reopen, name="opportunity-reopen"),
    path(
        "playbook/opportunities/<int:pk>/moves/<slug:move>/",
        opportunity_move,
        name="opportunity-move",
    ),
]
