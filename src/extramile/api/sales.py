"""``/api/sales``: record a sale (a webhook: which puts a thank-you note on the seller's Today),
and read the sales of the customers you may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Status
from ninja.errors import HttpError
from pydantic import BaseModel

from extramile import clock
from extramile.api.access import get_visible, personal_user, user_by_name
from extramile.api.auth import acting_user, user_named
from extramile.api.errors import responses
from extramile.api.idempotency import idempotent
from extramile.api.pages import Page, PageParams, check_query, paginate
from extramile.api.types import Amount, Day, Input, Int, required_text
from extramile.book.models import Customer, Sale
from extramile.book.services import FutureSale, record_sale

router = Router(tags=["sales"])


class SaleIn(Input):
    customer: Int = Field(ge=1, le=2**31 - 1, description="The customer's id.")
    date: Day = Field(description="The day of the sale, YYYY-MM-DD; not in the future.")
    description: str = required_text(200, description="What was bought.")
    amount: Amount
    sold_by: str | None = Field(
        None, max_length=254, description="Username or e-mail of the seller."
    )


class SaleOut(BaseModel):
    id: int
    customer: int
    date: dt.date
    description: str
    amount: Decimal
    sold_by: str | None


class SalePage(Page[SaleOut]):
    pass


class SaleFilters(Input):
    customer: int | None = Field(None, ge=1, le=2**31 - 1)
    since: Day | None = Field(None, description="Sales on or after this day.")
    until: Day | None = Field(None, description="Sales on or before this day.")
    sold_by: str | None = Field(None, max_length=150, description="The seller's username.")


def sale_out(sale: Sale) -> SaleOut:
    return SaleOut(
        id=sale.pk,
        customer=sale.customer_id,
        date=sale.date,
        description=sale.description,
        amount=sale.amount,
        sold_by=sale.sold_by.username if sale.sold_by else None,
    )


def serialize(rows: Iterable[Sale]) -> list[SaleOut]:
    return [sale_out(row) for row in rows]


@router.post(
    "/sales",
    response=responses({201: SaleOut}, 400, 404, 409),
    summary="Record a sale",
    description="A webhook (company tokens may call it) and a personal route. The seller gets the "
    "thank-you note on Today. Send an `Idempotency-Key` header so that a retried delivery "
    "records the sale once. 404 when the customer or the seller (`sold_by`) is not one you can "
    "see; 409 when the `date` is after the seller's today.",
)
@idempotent
def post_sale(request: HttpRequest, payload: SaleIn) -> Status[SaleOut]:
    acting = acting_user(request)
    customers = (
        Customer.objects.visible_to(acting) if acting is not None else Customer.objects.all()
    )
    customer = get_visible(customers.select_related("owner"), payload.customer, "customer")
    seller = user_named(request, payload.sold_by, "sold_by") if payload.sold_by else acting
    try:
        sale = record_sale(
            customer, payload.date, payload.description, payload.amount, seller, now=clock.now()
        )
    except FutureSale as error:
        raise HttpError(409, " ".join(error.messages)) from None
    return Status(201, sale_out(sale))


@router.get("/sales", response=responses({200: SalePage}), summary="List sales")
def list_sales(
    request: HttpRequest, filters: Query[SaleFilters], page: Query[PageParams]
) -> dict[str, Any]:
    check_query(request, SaleFilters)
    user = personal_user(request)
    rows = Sale.objects.visible_to(user).select_related("sold_by").order_by("-date", "-id")
    if filters.customer is not None:
        rows = rows.filter(customer_id=filters.customer)
    if filters.since is not None:
        rows = rows.filter(date__gte=filters.since)
    if filters.until is not None:
        rows = rows.filter(date__lte=filters.until)
    if filters.sold_by:
        seller = user_by_name(user, filters.sold_by)
        rows = rows.filter(sold_by=seller) if seller is not None else rows.none()
    return paginate(request, rows, page, serialize)


@router.get("/sales/{sale_id}", response=responses({200: SaleOut}, 404), summary="Read a sale")
def get_sale(request: HttpRequest, sale_id: int) -> SaleOut:
    return sale_out(
        get_visible(
            Sale.objects.visible_to(personal_user(request)).select_related("sold_by"),
            sale_id,
            "sale",
        )
    )
