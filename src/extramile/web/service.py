"""The Service pages: the queue, a new request, a request with its timeline, the targets; and the
"Responded" button on a service row of Today. Rules live in ``extramile.service.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from extramile import clock
from extramile.accounts.models import Company, User
from extramile.accounts.scoping import get_visible_or_404
from extramile.book.models import Customer
from extramile.book.services import search_customers
from extramile.business_hours import BusinessHours, for_user
from extramile.service import filters as service_filters
from extramile.service import services
from extramile.service.forms import NewRequestForm, TargetForm
from extramile.service.models import (
    DEFAULT_TARGETS,
    OPEN_STATUSES,
    Priority,
    ServiceRequest,
    ServiceTarget,
    Status,
)
from extramile.web import today
from extramile.web.today import current_user

PAGE_SIZE = 50
FINDER = 20
STATUS_FILTERS = [("", "Open (all)"), *Status.choices, ("all", "All")]


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    now = clock.now()
    visible = ServiceRequest.objects.visible_to(user)
    params = request.GET
    status = params.get("status", "")
    priority = params.get("priority", "")
    assignee = params.get("assignee", "")
    went_wrong = params.get("went_wrong") == "1"
    query = params.get("q", "").strip()[:100]
    found = service_filters.filtered(
        visible,
        # No status (or an unknown one) shows the open requests; "all" shows every one.
        status=status if status in Status.values else None,
        open=True if status not in Status.values and status != "all" else None,
        priority=priority,
        assignee_id=assignee if assignee.isdigit() else None,
        went_wrong=True if went_wrong else None,
        q=query,
    )
    found = (
        found.select_related("customer", "assignee")
        .annotate(
            closed=Case(
                When(status__in=OPEN_STATUSES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("closed", "due_at", "-resolved_at", "opened_at", "id")
    )
    page = Paginator(found, PAGE_SIZE).get_page(params.get("page"))
    company = Company.get()
    calendars: dict[int, BusinessHours] = {}
    rows = []
    for item in page:
        hours = calendars.get(item.assignee_id)
        if hours is None:
            hours = calendars[item.assignee_id] = for_user(item.assignee, company)
        rows.append((item, services.clock_view(item, now, hours)))
    assignees = User.objects.visible_to(user).active()
    kept = params.copy()
    kept.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "status": status,
        "priority": priority,
        "assignee": assignee,
        "went_wrong": went_wrong,
        "query": query,
        "statuses": STATUS_FILTERS,
        "priorities": Priority.choices,
        "assignees": assignees if assignees.count() > 1 else None,
        "params": kept.urlencode(),
        "counts": {
            "open": visible.pending().count(),
            "breaching": visible.breaching(now).count(),
            "waiting": visible.filter(status=Status.WAITING).count(),
        },
    }
    return render(request, "service/queue.html", context)


@login_required
def new_request(request: HttpRequest) -> HttpResponse:
    """The form, prefilled from ``?customer=<id>&subject=…&details=…&priority=…&went_wrong=1``
    (a call outcome sends reps here). Without a customer it first finds one."""
    user = current_user(request)
    book = Customer.objects.visible_to(user)
    source = request.POST if request.method == "POST" else request.GET
    customer_id = str(source.get("customer", ""))
    customer = (
        book.select_related("owner").filter(pk=int(customer_id)).first()
        if customer_id.isdigit()
        else None
    )
    assignees = services.assignable_users(customer) if customer is not None else []
    if request.method == "POST":
        form = NewRequestForm(request.POST, customers=book, assignees=assignees)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.open_request(
                    customer=data["customer"],
                    subject=data["subject"],
                    details=data["details"],
                    priority=data["priority"],
                    went_wrong=data["went_wrong"],
                    assignee=data.get("assignee"),
                    opened_by=user,
                    now=clock.now(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, f"Opened request #{created.pk}: it is on {created.assignee}’s Today."
                )
                return redirect("service-request", pk=created.pk)
        status = 422
    else:
        initial = {
            "customer": customer.pk if customer else None,
            "subject": request.GET.get("subject", "")[:200],
            "details": request.GET.get("details", ""),
            "priority": request.GET.get("priority", Priority.NORMAL),
            "went_wrong": request.GET.get("went_wrong") == "1",
        }
        form = NewRequestForm(initial=initial, customers=book, assignees=assignees)
        status = 200
    find = source.get("find", "").strip()[:100] if customer is None else ""
    matches: list[Customer] = []
    if find:
        found = search_customers(book, find, Company.get().country)
        matches = list(found.order_by("last_name", "first_name")[:FINDER])
    context = {
        "form": form,
        "customer": customer,
        "find": find,
        "matches": matches,
        "prefill": {
            k: request.GET.get(k, "") for k in ("subject", "details", "priority", "went_wrong")
        },
    }
    return render(request, "service/new.html", context, status=status)


def request_or_404(request: HttpRequest, pk: int) -> ServiceRequest:
    return get_visible_or_404(
        ServiceRequest.objects.select_related("customer__owner", "assignee", "opened_by"),
        current_user(request),
        pk=pk,
    )


def detail_context(item: ServiceRequest, **extra: Any) -> dict[str, Any]:
    now = clock.now()
    hours = services.hours_for(item)
    return {
        "sr": item,
        "clock": services.clock_view(item, now, hours),
        "breaching": item.breaching(now),
        "events": item.events.select_related("user"),
        "statuses": [(Status.OPEN, Status.OPEN.label), (Status.WAITING, Status.WAITING.label)],
        "priorities": Priority.choices,
        "assignees": services.assignable_users(item.customer) if item.is_open else [],
        **extra,
    }


def change(request: HttpRequest, item: ServiceRequest, user: User) -> str:
    """Apply the form posted on the request's page; return what to tell the user."""
    now = clock.now()
    post = request.POST
    do = post.get("do", "")
    if do == "respond":
        services.respond(item, user, now, post.get("text", ""))
        return "First response recorded."
    if do == "note":
        services.add_note(item, user, now, post.get("text", ""))
        return "Note added."
    if do == "status":
        services.set_status(item, post.get("status", ""), user, now)
        return f"Status: {item.get_status_display()}."
    if do == "priority":
        services.set_priority(item, post.get("priority", ""), user, now)
        return "Priority changed; the deadlines follow the new targets."
    if do == "went_wrong":
        services.set_went_wrong(item, post.get("went_wrong") == "1", user, now)
        return "Saved."
    if do == "reassign":
        choice = str(post.get("assignee", ""))
        candidates = {u.pk: u for u in services.assignable_users(item.customer)}
        if not choice.isdigit() or int(choice) not in candidates:
            raise ValidationError("Choose someone who can see this customer.")
        services.reassign(item, candidates[int(choice)], user, now)
        return f"Reassigned to {item.assignee}."
    if do == "resolve":
        services.resolve(item, user, now, post.get("resolution", ""), post.get("story", ""))
        return "Resolved. Thank you for going the extra mile."
    if do == "reopen":
        services.reopen(item, user, now, post.get("reason", ""))
        return "Reopened: it is back on Today."
    raise ValidationError("Choose what to do with the request.")


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = request_or_404(request, pk)
    if request.method != "POST":
        return render(request, "service/detail.html", detail_context(item))
    try:
        note = change(request, item, current_user(request))
    except ValidationError as error:
        item = request_or_404(request, pk)
        context = detail_context(
            item,
            error=" ".join(error.messages),
            failed=request.POST.get("do", ""),
            posted=request.POST,
        )
        return render(request, "service/detail.html", context, status=422)
    messages.success(request, note)
    return redirect("service-request", pk=item.pk)


@require_POST
@login_required
def responded(request: HttpRequest, pk: int) -> HttpResponse:
    """“Responded” on Today's row: the first response, recorded in place."""
    item = request_or_404(request, pk)
    try:
        services.respond(item, current_user(request), clock.now())
    except ValidationError as error:
        action = services.action_for(item)
        if action is None:
            raise
        return today.answer(request, action, error=" ".join(error.messages))
    action = services.action_for(item)
    assert action is not None
    return today.answer(request, action, note="First response recorded.")


@login_required
def targets(request: HttpRequest) -> HttpResponse:
    """Everyone may read the targets; admins change them."""
    user = current_user(request)
    rows: list[tuple[str, ServiceTarget, TargetForm]] = []
    for priority, label in Priority.choices:
        first, resolve = DEFAULT_TARGETS[priority]
        target, _ = ServiceTarget.objects.get_or_create(
            priority=priority,
            defaults={"first_response_minutes": first, "resolve_minutes": resolve},
        )
        initial = {
            "first_response_hours": round(target.first_response_minutes / 60, 2),
            "resolve_hours": round(target.resolve_minutes / 60, 2),
        }
        rows.append((label, target, TargetForm(initial=initial, prefix=priority)))
    status = 200
    if request.method == "POST":
        if not user.is_admin_role:
            raise PermissionDenied("Only an admin changes the service targets.")
        rows = [
            (label, target, TargetForm(request.POST, prefix=target.priority))
            for label, target, _form in rows
        ]
        valid = [form.is_valid() for _label, _target, form in rows]  # every row's errors shown
        if all(valid):
            for _label, target, form in rows:
                form.save(target)
            messages.success(
                request,
                "Saved the targets: new requests, and requests whose priority changes, use them.",
            )
            return redirect("service-targets")
        status = 422
    context = {"rows": rows, "can_edit": user.is_admin_role, "company": Company.get()}
    return render(request, "service/targets.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("service/", queue, name="service"),
    path("service/new/", new_request, name="service-new"),
    path("service/targets/", targets, name="service-targets"),
    path("service/<int:pk>/", request_detail, name="service-request"),
    path("service/<int:pk>/responded/", responded, name="service-responded"),
]
