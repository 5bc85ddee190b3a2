"""``POST /api/sales``: record a sale (which puts a thank-you note on the seller's Today)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from extramile.accounts.scoping import visible_customers
from extramile.api.auth import acting_user, user_named
from extramile.book.models import Customer
from extramile.book.services import record_sale

router = Router(tags=["sales"])


class SaleIn(Schema):
    customer: int = Field(description="The customer's id.")
    date: dt.date = Field(description="The day of the sale, YYYY-MM-DD.")
    description: str = Field(min_length=1, max_length=200, description="What was bought.")
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    sold_by: str | None = Field(None, description="Username or e-mail of the seller.")


class SaleOut(Schema):
    id: int
    customer: int
    date: dt.date
    description: str
    amount: Decimal
    sold_by: str | None


@router.post("/sales", response={201: SaleOut}, summary="Record a sale")
def post_sale(request: HttpRequest, payload: SaleIn) -> Status[SaleOut]:
    acting = acting_user(request)
    customers = visible_customers(acting) if acting is not None else Customer.objects.all()
    customer = customers.filter(pk=payload.customer).first()
    if customer is None:
        raise HttpError(404, f"There is no customer {payload.customer}.")
    seller = user_named(request, payload.sold_by, "sold_by") if payload.sold_by else acting
    sale = record_sale(
        customer,
        payload.date,
        payload.description.strip(),
        payload.amount,
        seller,
        now=timezone.now(),
    )
    return Status(
        201,
        SaleOut(
            id=sale.pk,
            customer=customer.pk,
            date=sale.date,
            description=sale.description,
            amount=sale.amount,
            sold_by=seller.username if seller else None,
        ),
    )
