"""``/api/referrals``: who sent whom, and the reward that becomes owed when the referred sale
closes (``book.services.record_sale``) and is then paid (``book.services.pay_reward``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Status
from ninja.errors import HttpError
from pydantic import BaseModel

from extramile.accounts.models import User
from extramile.api.access import customer_or_404, get_visible, personal_user
from extramile.api.errors import as_conflict, responses
from extramile.api.idempotency import idempotent
from extramile.api.pages import Page, PageParams, check_query, paginate
from extramile.api.types import Day, Input, Int, SmallAmount
from extramile.book.models import Customer, Referral, RewardStatus
from extramile.book.services import pay_reward

router = Router(tags=["referrals"])


class ReferralOut(BaseModel):
    id: int
    referrer: int | None = Field(description="Null when the referrer is in a book you cannot see.")
    referred: int | None = Field(description="Null when the referred is in a book you cannot see.")
    date: dt.date
    sale: int | None = Field(description="The referred customer's sale that closed it.")
    reward_amount: Decimal | None
    reward_status: RewardStatus
    reward_paid_on: dt.date | None
    note: str


class ReferralPage(Page[ReferralOut]):
    pass


class ReferralFilters(Input):
    customer: int | None = Field(
        None, ge=1, le=2**31 - 1, description="Referrals given or received by this customer."
    )
    reward_status: RewardStatus | None = None


class ReferralIn(Input):
    referrer: Int = Field(ge=1, le=2**31 - 1, description="The customer who sent someone.")
    referred: Int = Field(ge=1, le=2**31 - 1, description="The customer they sent.")
    date: Day
    reward_amount: SmallAmount | None = Field(None, description="Owed once the referred buys.")
    note: str = Field("", max_length=200)


class PayIn(Input):
    paid_on: Day


def serialize(rows: Iterable[Referral], user: User) -> list[ReferralOut]:
    rows = list(rows)
    ids = {r.referrer_id for r in rows} | {r.referred_id for r in rows}
    seen = set(Customer.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [
        ReferralOut(
            id=r.pk,
            referrer=r.referrer_id if r.referrer_id in seen else None,
            referred=r.referred_id if r.referred_id in seen else None,
            date=r.date,
            sale=r.sale_id if r.referred_id in seen else None,
            reward_amount=r.reward_amount,
            reward_status=RewardStatus(r.reward_status),
            reward_paid_on=r.reward_paid_on,
            note=r.note,
        )
        for r in rows
    ]


@router.get("/referrals", response=responses({200: ReferralPage}), summary="List referrals")
def list_referrals(
    request: HttpRequest, filters: Query[ReferralFilters], page: Query[PageParams]
) -> dict[str, Any]:
    check_query(request, ReferralFilters)
    user = personal_user(request)
    rows = Referral.objects.visible_to(user).order_by("-date", "-id")
    if filters.customer is not None:
        rows = rows.filter(Q(referrer_id=filters.customer) | Q(referred_id=filters.customer))
    if filters.reward_status is not None:
        rows = rows.filter(reward_status=filters.reward_status)
    return paginate(request, rows, page, lambda found: serialize(found, user))


@router.get(
    "/referrals/{referral_id}", response=responses({200: ReferralOut}, 404), summary="Read one"
)
def get_referral(request: HttpRequest, referral_id: int) -> ReferralOut:
    user = personal_user(request)
    return serialize(
        [get_visible(Referral.objects.visible_to(user), referral_id, "referral")], user
    )[0]


@router.post(
    "/referrals",
    response=responses({201: ReferralOut}, 400, 404, 409),
    summary="Record a referral",
    description="With a `reward_amount` the reward waits for the referred customer's next sale, "
    "then is owed. 404 when either customer is not one you can see; 409 when the referral is "
    "recorded already, or the `referrer` is the `referred`.",
)
@idempotent
def create_referral(request: HttpRequest, payload: ReferralIn) -> Status[ReferralOut]:
    user = personal_user(request)
    referrer = customer_or_404(user, payload.referrer)
    referred = customer_or_404(user, payload.referred)
    if referrer.pk == referred.pk:
        raise HttpError(409, "A customer cannot refer themselves.")
    if Referral.objects.filter(referrer=referrer, referred=referred).exists():
        raise HttpError(409, f"{referrer} is recorded already as having referred {referred}.")
    referral = Referral(
        referrer=referrer,
        referred=referred,
        date=payload.date,
        reward_amount=payload.reward_amount,
        reward_status=RewardStatus.PENDING
        if payload.reward_amount is not None
        else RewardStatus.NONE,
        note=" ".join(payload.note.split()),
    )
    referral.full_clean(validate_unique=False)
    referral.save()
    return Status(201, serialize([referral], user)[0])


@router.post(
    "/referrals/{referral_id}/pay",
    response=responses({200: ReferralOut}, 400, 404, 409),
    summary="Mark a reward paid",
    description="Only an owed reward can be paid (409 otherwise, with why).",
)
def pay_referral(request: HttpRequest, referral_id: int, payload: PayIn) -> ReferralOut:
    user = personal_user(request)
    referral = get_visible(Referral.objects.visible_to(user), referral_id, "referral")
    with as_conflict():
        paid = pay_reward(referral, payload.paid_on)
    return serialize([paid], user)[0]
