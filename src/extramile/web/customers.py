"""Customers: the searchable list, the customer page and the forms that change the book."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from extramile import clock
from extramile.accounts.models import Company, User
from extramile.accounts.scoping import get_visible_or_404
from extramile.agenda.models import Action
from extramile.book import filters as customer_filters
from extramile.book import services
from extramile.book.family import generation_span, relatives
from extramile.book.forms import CustomerForm, FactForm, PromiseForm, SaleForm
from extramile.book.models import (
    Customer,
    EmailAddress,
    PhoneNumber,
    Promise,
    Status,
    in_book,
)
from extramile.cards import services as card_services
from extramile.cards import thanks
from extramile.cards.models import Card
from extramile.web.htmx import is_htmx, render_page
from extramile.web.today import current_user

PAGE_SIZE = 50
# "Best first": by value score (customers not scored yet last).
BEST_FIRST: list[Any] = [F("value_score__score").desc(nulls_last=True), "id"]
HISTORY = 50


COUNT_CAP = 1000


class CappedPage:
    """A page of the customer list without counting the whole list: the page's rows plus one
    (is there a next page?) and a count that stops at ``COUNT_CAP`` (an admin's list is a million
    customers; "more than 1,000" is all a person reads from it)."""

    def __init__(self, rows: QuerySet[Customer], number: str | None) -> None:
        self.number = int(number) if number and number.isdigit() and int(number) > 0 else 1
        start = (self.number - 1) * PAGE_SIZE
        found = list(rows[start : start + PAGE_SIZE + 1])
        if not found and self.number > 1:  # past the end: the first page, as Paginator did
            self.number, start = 1, 0
            found = list(rows[: PAGE_SIZE + 1])
        self.object_list = found[:PAGE_SIZE]
        self.has_next = len(found) > PAGE_SIZE
        self.has_previous = self.number > 1
        self.has_other_pages = self.has_next or self.has_previous
        self.next_page_number = self.number + 1
        self.previous_page_number = self.number - 1
        counted = len(found) if start == 0 and not self.has_next else None
        if counted is None:
            counted = rows.order_by()[: COUNT_CAP + 1].count()
        self.count = min(counted, COUNT_CAP)
        self.more = counted > COUNT_CAP


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
    best_first = request.GET.get("sort") == "value"
    book = (
        book.select_related("owner", "household", "value_score")
        .prefetch_related(
            Prefetch("emails", queryset=EmailAddress.objects.order_by("-is_primary", "id")),
            Prefetch("phones", queryset=PhoneNumber.objects.order_by("-is_primary", "id")),
        )
        .order_by(*BEST_FIRST if best_first else ["last_name", "first_name", "id"])
    )
    page = CappedPage(book, request.GET.get("page"))
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
        "owners": owners if owners.count() > 1 else None,
        "params": params.urlencode(),
    }
    return render_page(request, "book/customer_list.html", "book/_customer_rows.html", context)


def customer_or_404(request: HttpRequest, pk: int) -> Customer:
    """The customer ``pk`` if the signed-in user sees it; another team's customer is a 404."""
    return get_visible_or_404(
        Customer.objects.select_related("owner", "household"), current_user(request), pk=pk
    )


def customer_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    user = current_user(request)
    book = Customer.objects.visible_to(user)
    today = user.local_date(clock.now())
    family = relatives(customer, within=book)
    generations: dict[int, list[Any]] = {}
    for relative in family:
        generations.setdefault(relative.generation, []).append(relative)
    household_members = (
        book.filter(household=customer.household).exclude(pk=customer.pk)
        if customer.household_id
        else Customer.objects.none()
    )
    history = Action.objects.filter(customer=customer).order_by("-due_on", "-id")
    # Their own cards, and their household's (read through the two uniqueness indexes).
    mine = Q(customer=customer, household__isnull=True)
    cards = Card.objects.filter(
        mine | Q(household_id=customer.household_id) if customer.household_id else mine
    )
    return {
        "customer": customer,
        "today": today,
        "emails": customer.emails.all(),
        "phones": customer.phones.all(),
        "household_members": household_members,
        "generations": sorted(generations.items()),
        "generation_span": generation_span(family),
        "key_dates": customer.key_dates.all(),
        "facts": customer.facts.all(),
        "sales": customer.sales.select_related("sold_by"),
        "referrals_given": customer.referrals_given.filter(
            in_book(book, "referred_id")
        ).select_related("referred", "sale"),
        "referrals_received": customer.referrals_received.filter(
            in_book(book, "referrer_id")
        ).select_related("referrer"),
        "promises": customer.promises.all(),
        "history": history[:HISTORY],
        "history_count": history.count(),
        "occasions": card_services.preferences_of(customer),
        "cards": cards.select_related("occasion", "household").order_by("-occasion_on", "-id")[
            :HISTORY
        ],
        "fact_form": FactForm(),
        "promise_form": PromiseForm(initial={"due_on": today}),
        "sale_form": SaleForm(today=today),
    }


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from extramile.web.timeline import timeline_context

    customer = customer_or_404(request, pk)
    context = {**customer_context(request, customer), **timeline_context(request, customer)}
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
