"""Exports (the book as CSV, vCard or JSON; one customer as JSON), erasure and the audit trail."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from extramile import clock
from extramile.book.models import Customer
from extramile.culture.models import Story
from extramile.exports import audit, csvfile, erasure, jsonfile, vcard
from extramile.exports.models import AuditAction
from extramile.web.customers import customer_or_404
from extramile.web.today import current_user

FORMATS = {
    # format: (file extension, content type)
    "csv": ("csv", "text/csv; charset=utf-8"),
    "vcard": ("vcf", "text/vcard; charset=utf-8"),
    "json": ("json", "application/json; charset=utf-8"),
}


@login_required
def download(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    """The customers the user may see, streamed as they are read (a million rows included)."""
    if fmt not in FORMATS:
        raise Http404("Export as csv, vcard or json.")
    user = current_user(request)
    now = clock.now()
    book = Customer.objects.visible_to(user)
    if fmt == "csv":
        content = csvfile.lines(book)
    elif fmt == "vcard":
        content = vcard.cards(book)
    else:
        content = jsonfile.stream_book(user, now)
    audit.record(
        user, AuditAction.EXPORT, f"book as {fmt}", now, "web", counts={"customers": book.count()}
    )
    extension, content_type = FORMATS[fmt]
    response = StreamingHttpResponse(
        (piece.encode() for piece in content), content_type=content_type
    )
    stamp = user.local_date(now).isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="extramile-customers-{stamp}.{extension}"'
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def customer_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about one customer as a JSON file."""
    user = current_user(request)
    customer = customer_or_404(request, pk)
    now = clock.now()
    document = jsonfile.customer_document(user, customer, now)
    audit.record(
        user,
        AuditAction.EXPORT,
        "customer",
        now,
        "web",
        customer_id=customer.pk,
        counts=jsonfile.customer_counts(document),
    )
    response = HttpResponse(jsonfile.customer_json(document), content_type=FORMATS["json"][1])
    response["Content-Disposition"] = (
        f'attachment; filename="extramile-customer-{customer.pk}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation page (what will go; type the name) and the erasure itself."""
    user = current_user(request)
    customer = customer_or_404(request, pk)
    if not erasure.may_erase(user):
        raise PermissionDenied("Only a manager or an admin can erase a customer.")
    if request.method == "POST":
        try:
            record = erasure.erase(
                user, customer.pk, clock.now(), "web", confirm_name=request.POST.get("name", "")
            )
        except erasure.ErasureRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                f"Customer {pk} is erased: {record.total} records deleted or unlinked. "
                "The audit trail keeps who, when and how many, not who they were.",
            )
            return redirect("customers")
    counts = erasure.preview(user, customer)
    stories = Story.objects.visible_to(user).filter(customer=customer).select_related("author")
    return render(
        request,
        "exports/erase.html",
        {
            "customer": customer,
            "counts": sorted(
                ((audit.label(key), n) for key, n in counts.items()),
                key=lambda row: (row[0] != "customers", row[0]),
            ),
            "stories": stories,
        },
    )


@login_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not audit.may_read(user):
        raise PermissionDenied("Only an admin reads the audit trail.")
    action = request.GET.get("action", "")
    records = audit.trail()
    if action in AuditAction.values:
        records = records.filter(action=action)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    for record in page.object_list:
        record.labelled = [(audit.label(key), n) for key, n in record.counts.items()]
    return render(
        request,
        "exports/audit.html",
        {"page": page, "action": action, "actions": AuditAction.choices},
    )


urlpatterns = [
    path("customers/export/<slug:fmt>/", download, name="export-book"),
    path("customers/<int:pk>/export/", customer_export, name="customer-export"),
    path("customers/<int:pk>/erase/", erase, name="customer-erase"),
    path("exports/audit/", audit_trail, name="export-audit"),
]
