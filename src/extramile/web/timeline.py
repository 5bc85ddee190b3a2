"""The customer timeline (a section of the customer page, and its next pages) and quick notes on a
customer from Today and the customer page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from extramile import clock
from extramile.book.models import Customer
from extramile.offline.middleware import mark_problem
from extramile.timeline import timeline
from extramile.timeline.services import add_note
from extramile.web.customers import customer_or_404
from extramile.web.htmx import is_htmx
from extramile.web.today import current_user


def timeline_context(
    request: HttpRequest, customer: Customer, present: Mapping[str, bool] | None = None
) -> dict[str, Any]:
    """The timeline's page for the query string: ``kind`` (repeatable) filters, ``after`` pages;
    ``present`` (``book.presence``) leaves out the sources known to be empty."""
    kinds = [kind for kind in request.GET.getlist("kind") if kind in timeline.KINDS]
    cursor = timeline.Cursor.decode(request.GET.get("after", ""))
    found = timeline.page(
        customer, current_user(request), after=cursor, kinds=kinds, present=present
    )
    query = "".join(f"&kind={kind}" for kind in kinds)
    return {
        "customer": customer,
        "timeline": found.entries,
        "timeline_kinds": timeline.KINDS,
        "timeline_chosen": kinds,
        "timeline_query": query,
        "timeline_next": found.next.encode() if found.next else "",
        "timeline_paged": cursor is not None,
    }


@login_required
def customer_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """The next page: entries to append (htmx), or a page of its own."""
    customer = customer_or_404(request, pk)
    context = timeline_context(request, customer)
    if is_htmx(request):
        return render(request, "timeline/_entries.html", context)
    return render(request, "timeline/page.html", context)


@require_POST
@login_required
def add_customer_note(request: HttpRequest, pk: int) -> HttpResponse:
    """A quick note. From Today (``row=today``) htmx gets a one-line answer in place; from the
    customer page the refreshed timeline; a plain post goes back where it came from."""
    customer = customer_or_404(request, pk)
    user = current_user(request)
    error = ""
    try:
        add_note(customer, user, request.POST.get("text", ""), clock.now())
    except ValidationError as problem:
        error = " ".join(problem.messages)
    if is_htmx(request):
        if request.POST.get("row") == "today":
            response = render(
                request, "timeline/_note_saved.html", {"customer": customer, "error": error}
            )
        else:
            context = {**timeline_context(request, customer), "note_error": error}
            response = render(request, "timeline/_timeline.html", context)
        if error:
            mark_problem(response, error)
        return response
    if error:
        messages.error(request, f"The note was not saved: {error}")
    else:
        messages.success(request, f"Noted on {customer.full_name}.")
    if request.POST.get("row") == "today":
        return redirect("today")
    return redirect(reverse("customer", args=[customer.pk]) + "#timeline")


urlpatterns: list[URLPattern] = [
    path("customers/<int:pk>/timeline/", customer_timeline, name="customer-timeline"),
    path("customers/<int:pk>/notes/", add_customer_note, name="customer-add-note"),
]
