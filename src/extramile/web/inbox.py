"""The Inbox: replies owed with their clocks, unmatched messages to match or turn into customers,
answered messages with their response times, and the reply figures. Plus the quick-log endpoint
every page's top bar posts to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from extramile import clock
from extramile.accounts.models import Company, User
from extramile.accounts.scoping import get_visible_or_404
from extramile.agenda.models import Action
from extramile.book.models import Customer
from extramile.book.services import search_customers
from extramile.inbox import services
from extramile.inbox.figures import ReplyFigures, figures_by_owner, reply_figures
from extramile.inbox.forms import NewCustomerForm, QuickLogForm
from extramile.inbox.models import InboundMessage, Source
from extramile.inbox.queries import answered, owed, unmatched
from extramile.web.htmx import is_htmx
from extramile.web.today import answer, current_user

PERIOD = dt.timedelta(days=30)  # figures and unmatched messages
RECENT = dt.timedelta(days=14)  # answered messages listed
LIMIT = 100


def message_or_404(request: HttpRequest, pk: int) -> InboundMessage:
    return get_visible_or_404(
        InboundMessage.objects.select_related("customer", "owner"), current_user(request), pk=pk
    )


def team_figures(user: User, messages: Any, now: dt.datetime) -> list[tuple[str, ReplyFigures]]:
    """Per rep the user may see (managers, admins), in one query."""
    by_owner = figures_by_owner(messages, now)
    names = {
        u.pk: str(u)
        for u in User.objects.visible_to(user).active().filter(pk__in=[k for k in by_owner if k])
    }
    rows = [(names[pk], figures) for pk, figures in by_owner.items() if pk in names]
    if None in by_owner:
        rows.append(("Unassigned", by_owner[None]))
    return sorted(rows, key=lambda row: row[0].lower())


@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    now = clock.now()
    mine = InboundMessage.objects.visible_to(user)
    period = mine.filter(received_at__gte=now - PERIOD)
    sees_others = user.sees_team
    context: dict[str, Any] = {
        "now": now,
        "owed": list(owed(mine)[:LIMIT]),
        "unmatched": list(unmatched(mine, now - PERIOD)[:LIMIT]),
        "answered": list(answered(mine, now - RECENT)[:LIMIT]),
        "my_figures": reply_figures(period.filter(owner=user), now),
        "team": team_figures(user, period, now) if sees_others else [],
        "team_total": reply_figures(period, now) if sees_others else None,
        "target": Company.get().reply_within_minutes,
        "new_customer": NewCustomerForm(),
    }
    matching = request.GET.get("match", "")
    if matching.isdigit():
        message = message_or_404(request, int(matching))
        query = request.GET.get("q", "").strip() or message.from_name or message.from_address
        found = search_customers(Customer.objects.visible_to(user), query, Company.get().country)
        context.update(
            matching=message,
            query=query,
            candidates=list(found.select_related("owner")[:10]),
            new_customer=NewCustomerForm(initial=NewCustomerForm.initial_for(message.from_name)),
        )
    return render(request, "inbox/inbox.html", context)


def back(request: HttpRequest, default: str = "inbox") -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@require_POST
@login_required
def log_message(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    now = clock.now()
    form = QuickLogForm(request.POST)
    error = note = ""
    if form.is_valid():
        try:
            result = services.receive(
                channel=form.cleaned_data["channel"],
                from_address=form.cleaned_data["sender"],
                received_at=form.received(now, user.zone()),
                summary=form.cleaned_data["summary"],
                now=now,
                owner=user,
                from_name=form.cleaned_data["name"],
                source=Source.WEB,
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            note = logged_note(result, user)
    else:
        error = " ".join(
            f"{form.fields[f].label or f}: {' '.join(str(m) for m in e)}"
            for f, e in form.errors.items()
        )
    if is_htmx(request):
        return render(request, "inbox/_quick_log_result.html", {"error": error, "note": note})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, note)
    return back(request, "today")


def logged_note(result: services.Received, user: User) -> str:
    """What the logger reads: all of it for a message they may see, else one sentence the same for
    every other book (``services.receipt``)."""
    answer = services.receipt(result, user)
    message = answer.message
    channel = result.message.get_channel_display().lower()
    if message is None:
        return f"Logged {channel}. {answer.note}"
    due = timezone.localtime(message.reply_due_at, user.zone())
    who = (
        f"from {message.customer.full_name}"
        if message.customer
        else f"unmatched{' (' + answer.note + ')' if answer.note else ''}: match it in the Inbox"
    )
    owner = (
        "you"
        if message.owner_id == user.pk
        else (str(message.owner) if message.owner else "nobody yet")
    )
    return f"Logged {channel} {who}. Reply due {due:%a %H:%M}, owed by {owner}."


@require_POST
@login_required
def replied(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    message = message_or_404(request, pk)
    error = note = ""
    try:
        message = services.mark_replied(message, user, clock.now())
    except ValidationError as problem:
        error = " ".join(problem.messages)
    else:
        verdict = "late" if message.breached else "in time"
        note = f"Replied {verdict}: {message.response_minutes} business minutes."
    if request.POST.get("row") == "today":
        action = get_object_or_404(
            Action.objects.select_related("customer", "owner"), key=message.action_key
        )
        return answer(request, action, error=error, note=note)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, note)
    return back(request)


@require_POST
@login_required
def match_message(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    message = message_or_404(request, pk)
    customer_id = request.POST.get("customer", "")
    if not customer_id.isdigit():
        messages.error(request, "Choose a customer to match the message to.")
        return redirect(f"{reverse('inbox')}?match={pk}")
    customer = get_object_or_404(Customer.objects.visible_to(user), pk=int(customer_id))
    try:
        services.match(message, customer, user, clock.now())
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(
            request, f"Matched to {customer.full_name}; {customer.owner} owes the reply."
        )
    return redirect("inbox")


@require_POST
@login_required
def create_customer(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    message = message_or_404(request, pk)
    form = NewCustomerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check the new customer's name.")
        return redirect(f"{reverse('inbox')}?match={pk}")
    try:
        customer = services.create_customer(message, user, clock.now(), **form.cleaned_data)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
        return redirect(f"{reverse('inbox')}?match={pk}")
    messages.success(request, f"{customer.full_name} is a new customer, matched to the message.")
    return redirect("customer", customer.pk)


urlpatterns: list[URLPattern] = [
    path("inbox/", inbox_page, name="inbox"),
    path("inbox/log/", log_message, name="inbox-log"),
    path("inbox/<int:pk>/replied/", replied, name="inbox-replied"),
    path("inbox/<int:pk>/match/", match_message, name="inbox-match"),
    path("inbox/<int:pk>/customer/", create_customer, name="inbox-create-customer"),
]
