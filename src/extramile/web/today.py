"""Today: the agenda, with done / skip / snooze completing in place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from extramile import clock
from extramile.accounts.models import User
from extramile.agenda import habits, services
from extramile.agenda.models import Action, ActionStatus
from extramile.agenda.planners import PROMISE
from extramile.articles.habits import ARTICLE_FOLLOW_UP
from extramile.book.forms import SnoozeForm
from extramile.cards.agenda import batch_counts
from extramile.cards.habits import CARDS, THANK_YOU
from extramile.culture.today import today_context
from extramile.inbox.habits import REPLY
from extramile.offline.middleware import mark_problem
from extramile.outreach.coverage import capacity_warning
from extramile.outreach.habits import CALL
from extramile.service.habits import SERVICE
from extramile.team.today import team_block
from extramile.web.htmx import is_htmx


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
    counts = today_counts(user, now, day)
    unfold = request.GET.get("section", "")
    show_all = request.GET.get("all") == "1"
    sections = fill_sections(agenda, counts, unfold="*" if show_all else unfold)
    shown = [action for section in sections for action in section.rows]
    habits.prefetch(shown)  # each kind's records for the page's rows, one query per kind
    live_cards(shown, user, day)
    promise_deadlines(shown)
    context = {
        **row_context(day),
        **today_context(user, day),  # the story of the week and the daily check-in
        "sections": sections,
        "counts": counts,
        "calls_warning": capacity_warning(user),
        "team": team_block(user, now, day),
        "now": now,
    }
    return render(request, "agenda/today.html", context)


# Today's sections ------------------------------------------------------------------------------
# Each section holds the kinds named here, in Today's order (``services.TODAY_ORDER``); "the rest"
# holds every other kind. A section shows its first ``SECTION_ROWS`` rows; "Show all" unfolds it.
SECTION_ROWS = 5


@dataclass(frozen=True)
class Section:
    slug: str
    label: str
    kinds: frozenset[str]  # empty: every kind no other section names
    empty: str  # what an empty section says
    count: int = 0
    rows: list[Action] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return max(0, self.count - len(self.rows))

    def queryset(self, agenda: QuerySet[Action]) -> QuerySet[Action]:
        if self.kinds:
            return agenda.filter(kind__in=self.kinds)
        return agenda.exclude(kind__in=NAMED_KINDS)


SECTIONS = (
    Section("service", "Service requests", frozenset({SERVICE.kind}), "No open requests."),
    Section("replies", "Replies owed", frozenset({REPLY.kind}), "Nobody is waiting."),
    Section("promises", "Promises", frozenset({PROMISE.kind}), "No promise due."),
    Section("notes", "Thank-you notes", frozenset({THANK_YOU.kind}), "No note to write."),
    Section("cards", "Cards", frozenset({CARDS.kind}), "No cards to mail."),
    Section(
        "calls",
        "Calls",
        frozenset({CALL.kind, ARTICLE_FOLLOW_UP.kind}),
        "No calls today.",
    ),
    Section("rest", "The rest", frozenset(), "Nothing else."),
)
NAMED_KINDS = frozenset(kind for section in SECTIONS for kind in section.kinds)


def section_of(kind: str) -> str:
    return next((s.slug for s in SECTIONS if kind in s.kinds), "rest")


def fill_sections(agenda: QuerySet[Action], counts: Counts, unfold: str = "") -> list[Section]:
    """Every section with its first ``SECTION_ROWS`` rows (all of them for the section ``unfold``,
    or for every section when it is ``*``), read in one statement: each row numbered within its
    kind in Today's order (``ROW_NUMBER() OVER (PARTITION BY kind …)``), instead of a statement
    per section. An unfolded section is read whole by a statement of its own."""
    if not counts.total:
        return [replace(section, count=0, rows=[]) for section in SECTIONS]
    # Numbered within its kind, not its section: a section's first rows are among its kinds'
    # first rows, and the partition is a plain column (a CASE of the sections' kinds, twice in
    # the statement, cost more to compile than the statement it saved).
    rows = agenda.annotate(
        place=Window(RowNumber(), partition_by=[F("kind")], order_by=services.TODAY_ORDER)
    )
    if unfold != "*":
        rows = rows.filter(place__lte=SECTION_ROWS)
    found: dict[str, list[Action]] = {}
    for action in rows:  # in Today's order: a section's first rows come first
        found.setdefault(section_of(action.kind), []).append(action)
    if unfold != "*":
        found = {slug: shown[:SECTION_ROWS] for slug, shown in found.items()}
    for s in SECTIONS:
        if s.slug == unfold and counts.sections.get(s.slug, 0) > SECTION_ROWS:
            found[s.slug] = list(s.queryset(agenda))  # "Show all": one statement more
    return [
        replace(s, count=counts.sections.get(s.slug, 0), rows=found.get(s.slug, []))
        for s in SECTIONS
    ]


@dataclass(frozen=True)
class Counts:
    """Today's counters, from one grouped query over the same agenda the rows come from."""

    total: int
    overdue: int
    done: int
    sections: dict[str, int]


def today_counts(user: User, now: dt.datetime, day: dt.date) -> Counts:
    rows = (
        services.today(user, day)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"), late=Count("id", filter=Q(due_on__lt=day)))
    )
    sections: dict[str, int] = dict.fromkeys((s.slug for s in SECTIONS), 0)
    total = overdue = 0
    for kind, n, late in rows:
        sections[section_of(kind)] += n
        total += n
        overdue += late
    done = Action.objects.filter(
        owner=user, status=ActionStatus.DONE, completed_at__gte=now - dt.timedelta(hours=24)
    ).count()
    return Counts(total=total, overdue=overdue, done=done, sections=sections)


def live_cards(actions: list[Action], user: User, day: dt.date) -> None:
    """Give the page's card batch rows their counts as they stand now (the item's own title and
    detail were written when it was planned): the same query the calendar feed reads."""
    batches = [a for a in actions if a.kind == CARDS.kind and a.is_pending]
    if not batches:
        return
    days = {a.pk: batch_day(a) for a in batches}
    last = max((d for d in days.values() if d is not None), default=day)
    counts = batch_counts([user.pk], day, last)  # the planner's and the feed's query
    for action in batches:
        mail_by = days[action.pk]
        found = counts.get((action.owner_id, mail_by)) if mail_by is not None else None
        if found is not None:
            action.title, action.detail = found.title(day), found.detail


def promise_deadlines(actions: list[Action]) -> None:
    """A promise shows on Today two days before it is due: give its row the promise's own due day
    (``deadline_on``), so the row says "due Fri 4 Dec", not "due today"."""
    from extramile.book.models import Promise

    ids = {
        pk: a
        for a in actions
        if a.kind == PROMISE.kind and (pk := PROMISE.key.id(a.key)) is not None
    }
    if not ids:
        return
    for pk, due_on in Promise.objects.filter(pk__in=ids).values_list("pk", "due_on"):
        ids[pk].deadline_on = due_on  # type: ignore[attr-defined]


def batch_day(action: Action) -> dt.date | None:
    parts = CARDS.key.parts(action.key)  # cards:<owner>:<mail-by date>
    try:
        return dt.date.fromisoformat(parts[-1]) if parts else None
    except ValueError:
        return None


def oob_counts(request: HttpRequest) -> str:
    """Today's counters as htmx out-of-band swaps, for an answer that changed a row on Today."""
    user = current_user(request)
    now = clock.now()
    counts = today_counts(user, now, user.local_date(now))
    return render_to_string(
        "agenda/_today_counts.html",
        {"counts": counts, "sections": SECTIONS, "oob": True},
        request=request,
    )


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
        # Rows link to customers and post call outcomes under these (a {% url %} costs 35 µs;
        # a page of call rows made fifty of them).
        "customers_url": reverse("customer", args=[0]).removesuffix("0/"),
        "calls_url": reverse("call-outcome", args=[0, "x"]).removesuffix("0/x/"),
    }


def answer(request: HttpRequest, action: Action, error: str = "", note: str = "") -> HttpResponse:
    """The action's row for htmx; a redirect with a message otherwise."""
    if is_htmx(request):
        day = action.owner.local_date(clock.now())
        live_cards([action], action.owner, day)
        promise_deadlines([action])
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
