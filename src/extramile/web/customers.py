"""Customers: the searchable list, the customer page and the forms that change the book."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from extramile import clock
from extramile.accounts.models import Company, User
from extramile.accounts.scoping import get_visible_or_404
from extramile.agenda.models import Action
from extramile.book import filters as customer_filters
from extramile.book import listing, presence, services
from extramile.book.family import generation_span, relatives
from extramile.book.forms import CustomerForm, FactForm, PromiseForm, SaleForm
from extramile.book.models import (
    Customer,
    EmailAddress,
    Fact,
    KeyDate,
    PhoneNumber,
    Promise,
    Relationship,
    Status,
    in_book,
)
from extramile.book.presence import Check
from extramile.cards import services as card_services
from extramile.cards import thanks
from extramile.cards.models import Card
from extramile.playbook.models import Opportunity
from extramile.timeline import timeline
from extramile.web.htmx import is_htmx, render_page
from extramile.web.today import current_user

HISTORY = 50


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    company = Company.get()
    book: QuerySet[Customer] = Customer.objects.visible_to(user)
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    owner = request.GET.get("owner", "")
    birthdays = request.GET.get("birthdays") == "month"
    book = customer_filters.filtered(
        book,
        user,
        company.country,
        q=query,
        status=status,
        owner_id=owner if owner.isdigit() else None,
        birth_month=user.local_date(clock.now()).month if birthdays else None,
    )
    owners = User.objects.visible_to(user).active()
    # A rep sees only their own book: one owner, known without counting.
    several = user.sees_team and owners.count() > 1
    best_first = request.GET.get("sort") == "value"
    page = listing.CappedPage(book, request.GET.get("page"), best_first=best_first, owners=several)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "query": query,
        "status": status,
        "owner": owner,
        "birthdays": birthdays,
        "best_first": best_first,
        "statuses": Status.choices,
        "owners": owners if several else None,
        "params": params.urlencode(),
        # A row links to "customers/<pk>/" (urls.py), built by the template, not reversed per row.
        "customer_url": reverse("customers"),
    }
    return render_page(request, "book/customer_list.html", "book/_customer_rows.html", context)


def customer_or_404(request: HttpRequest, pk: int) -> Customer:
    """The customer ``pk`` if the signed-in user sees it; another team's customer is a 404."""
    return get_visible_or_404(
        Customer.objects.select_related("owner", "household"), current_user(request), pk=pk
    )


@dataclass(frozen=True)
class BlankForm:
    """An unbound form as the customer page shows it: its markup and its (no) errors."""

    as_div: SafeString
    errors: dict[str, Any] = field(default_factory=dict)


@functools.lru_cache(maxsize=16)
def blank_form(kind: str, today: dt.date) -> BlankForm:
    """The customer page's empty forms, made once per process and day (they depend on nothing
    else): Django's form templates render a field through four templates, and the page's three
    forms were a third of its time."""
    form = {
        "fact": lambda: FactForm(),
        "promise": lambda: PromiseForm(initial={"due_on": today}),
        "sale": lambda: SaleForm(today=today),
    }[kind]()
    return BlankForm(form.as_div())


def page_checks(customer: Customer) -> dict[str, tuple[Check, int | None]]:
    """The customer page's presence checks (``book.presence``): its own lists' and the
    timeline's, asked in one statement."""
    pk = customer.pk
    return {
        **timeline.checks(customer),
        "emails": (Check(EmailAddress, "customer"), pk),
        "phones": (Check(PhoneNumber, "customer"), pk),
        "parents_or_partners": (Check(Relationship, "from_customer"), pk),
        "children_or_partners": (Check(Relationship, "to_customer"), pk),
        "actions": (Check(Action, "customer"), pk),
        "key_dates": (Check(KeyDate, "customer"), pk),
        "facts": (Check(Fact, "customer"), pk),
        "opportunities": (Check(Opportunity, "customer"), pk),
    }


def customer_context(
    request: HttpRequest, customer: Customer, present: dict[str, bool] | None = None
) -> dict[str, Any]:
    """What the customer page shows. With ``present`` (``book.presence``) the lists known to be
    empty are not asked for."""
    user = current_user(request)
    book = Customer.objects.visible_to(user)
    today = user.local_date(clock.now())
    has: Mapping[str, bool] = defaultdict(lambda: True) if present is None else present
    family = (
        relatives(customer, within=book)
        if has["parents_or_partners"] or has["children_or_partners"]
        else []
    )
    generations: dict[int, list[Any]] = {}
    for relative in family:
        generations.setdefault(relative.generation, []).append(relative)
    household_members = (
        book.filter(household=customer.household).exclude(pk=customer.pk)
        if customer.household_id
        else Customer.objects.none()
    )
    history = Action.objects.filter(customer=customer).order_by("-due_on", "-id")
    history_rows = list(history[:HISTORY]) if has["actions"] else []
    # Their own cards, and their household's (read through the two uniqueness indexes).
    mine = Q(customer=customer, household__isnull=True)
    cards = Card.objects.filter(
        mine | Q(household_id=customer.household_id) if customer.household_id else mine
    )
    none: list[Any] = []
    return {
        "customer": customer,
        "today": today,
        "present": has,
        "emails": customer.emails.all() if has["emails"] else none,
        "phones": customer.phones.all() if has["phones"] else none,
        "household_members": household_members,
        "generations": sorted(generations.items()),
        "generation_span": generation_span(family),
        "key_dates": customer.key_dates.all() if has["key_dates"] else none,
        "facts": customer.facts.all() if has["facts"] else none,
        "sales": customer.sales.select_related("sold_by") if has["sales"] else none,
        "referrals_given": customer.referrals_given.filter(
            in_book(book, "referred_id")
        ).select_related("referred", "sale")
        if has["referrals_given"]
        else none,
        "referrals_received": customer.referrals_received.filter(
            in_book(book, "referrer_id")
        ).select_related("referrer")
        if has["referrals_received"]
        else none,
        "promises": customer.promises.all() if has["promises"] else none,
        "history": history_rows,
        # The count only when the page is full: otherwise it is the rows shown.
        "history_count": history.count() if len(history_rows) == HISTORY else len(history_rows),
        "occasions": card_services.preferences_of(customer),
        "cards": cards.select_related("occasion", "household").order_by("-occasion_on", "-id")[
            :HISTORY
        ]
        if has["cards"] or has["household_cards"]
        else none,
        "fact_form": blank_form("fact", today),
        "promise_form": blank_form("promise", today),
        "sale_form": blank_form("sale", today),
    }


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from extramile.web.timeline import timeline_context

    customer = get_visible_or_404(
        Customer.objects.select_related("owner", "household", "value_score"),
        current_user(request),
        pk=pk,
    )
    present = presence.present(page_checks(customer))
    context = {
        **customer_context(request, customer, present),
        **timeline_context(request, customer, present),
    }
    return render(request, "book/customer_detail.html", context)


@login_required
def customer_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = current_user(request)
    customer = customer_or_404(request, pk) if pk is not None else Customer(owner=user)
    form = CustomerForm(
        request.POST or None,
        instance=customer,
        owners=User.objects.visible_to(user).active(),
        company=Company.get(),
        initial={"owner": customer.owner_id or user.pk},
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, f"Saved {saved}.")
        return redirect("customer", pk=saved.pk)
    return render(request, "book/customer_form.html", {"form": form, "customer": customer})


def fragment_or_redirect(
    request: HttpRequest,
    customer: Customer,
    form: Any,
    what: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The updated card for htmx; for a plain form post, back to the page with any errors."""
    if is_htmx(request):
        return render(request, template, {"customer": customer, **context})
    for errors in form.errors.values():
        messages.error(request, f"The {what} was not saved: " + "; ".join(str(e) for e in errors))
    return redirect("customer", pk=customer.pk)


@require_POST
@login_required
def occasions(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's own card choices: opt out of an occasion, or in to one not sent by default."""
    customer = customer_or_404(request, pk)
    with transaction.atomic():
        for occasion, _current in card_services.preferences_of(customer):
            field = f"occasion-{occasion.pk}"
            if field in request.POST:
                try:
                    card_services.set_preference(customer, occasion, request.POST[field])
                except ValidationError as error:
                    messages.error(request, " ".join(error.messages))
                    return redirect("customer", pk=customer.pk)
    messages.success(request, f"Saved {customer}'s card choices.")
    return redirect(reverse("customer", args=[customer.pk]) + "#cards")


@require_POST
@login_required
def add_fact(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_or_404(request, pk)
    form = FactForm(request.POST)
    if form.is_valid():
        fact = form.save(commit=False)
        fact.customer = customer
        fact.save()
    context = {"facts": customer.facts.all(), "fact_form": FactForm() if form.is_valid() else form}
    return fragment_or_redirect(request, customer, form, "fact", "book/_facts.html", context)


@require_POST
@login_required
def add_promise(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_or_404(request, pk)
    form = PromiseForm(request.POST)
    if form.is_valid():
        promise = form.save(commit=False)
        promise.customer = customer
        promise.created_by = current_user(request)
        promise.save()
    return promises_fragment(request, customer, form)


def promises_fragment(request: HttpRequest, customer: Customer, form: PromiseForm) -> HttpResponse:
    context = {
        "promises": customer.promises.all(),
        "promise_form": PromiseForm(initial={"due_on": form.cleaned_data["due_on"]})
        if form.is_bound and form.is_valid()
        else form,
        "today": current_user(request).local_date(clock.now()),
    }
    return fragment_or_redirect(request, customer, form, "promise", "book/_promises.html", context)


@require_POST
@login_required
def promise_met(request: HttpRequest, pk: int) -> HttpResponse:
    book = Customer.objects.visible_to(current_user(request))
    promise = get_object_or_404(Promise.objects.filter(customer__in=book), pk=pk)
    services.mark_promise_met(promise, clock.now())
    return promises_fragment(request, promise.customer, PromiseForm())


@require_POST
@login_required
def add_sale(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a sale from the customer page; the thank-you note is created with it. A double
    submit of the same form (same sale within a minute) records it once."""
    customer = customer_or_404(request, pk)
    user = current_user(request)
    now = clock.now()
    form = SaleForm(request.POST, today=user.local_date(now))
    back = redirect(reverse("customer", args=[customer.pk]) + "#sales")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(
                request, "The sale was not recorded: " + "; ".join(str(e) for e in errors)
            )
        return back
    data = form.cleaned_data
    try:
        sale = services.record_sale(
            customer,
            data["date"],
            data["description"],
            data["amount"],
            user,
            now=now,
            refuse_repeat=True,
        )
    except services.RepeatedSale as repeat:
        messages.warning(request, repeat.message)
        return back
    except ValidationError as error:
        messages.error(request, "The sale was not recorded: " + " ".join(error.messages))
        return back
    note = thanks.note_of(sale)
    text = f"Recorded the sale: {sale.description}, {sale.amount:,.2f}. " + thanks.explain(
        sale, note, now
    )
    if note is not None and note.is_open and note.needs_address:
        link = reverse("customer-edit", args=[customer.pk])
        messages.success(
            request,
            format_html('{} <a href="{}">Add the postal address</a>.', text, link),
        )
    else:
        messages.success(request, text)
    return back
