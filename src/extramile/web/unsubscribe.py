"""The unsubscribe page: ``/u/<token>/``, no login, no cookies (RFC 8058 one-click).

GET only asks (mail scanners follow links, so a GET must never unsubscribe); POST unsubscribes at
once, whether it comes from the page's button or from a mail program's one-click button.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from extramile import clock
from extramile.accounts.models import Company
from extramile.book.models import Customer
from extramile.outbox.compose import sender_name
from extramile.outbox.models import UnsubscribeHow
from extramile.outbox.tokens import customer_id
from extramile.outbox.unsubscribe import unsubscribe


@csrf_exempt  # the one-click POST comes from a mail program, without cookies or a CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    pk = customer_id(token)
    customer = (
        Customer.objects.select_related("owner").filter(pk=pk).first() if pk is not None else None
    )
    if customer is None:
        return render(request, "outbox/unsubscribe_invalid.html", status=404)
    context = {
        "company": Company.get().name,
        "rep": sender_name(customer.owner),
        "token": token,
        "done": customer.do_not_email,
    }
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        how = UnsubscribeHow.ONE_CLICK if one_click else UnsubscribeHow.PAGE
        unsubscribe(customer, clock.now(), how)
        context["done"] = True
    response = render(request, "outbox/unsubscribe.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns: list[URLPattern] = [
    path("u/<str:token>/", unsubscribe_page, name="unsubscribe"),
]
