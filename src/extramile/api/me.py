"""``GET /api/me``: who this token acts for, to check a token before using it."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router
from pydantic import BaseModel

from extramile.api.auth import token_of
from extramile.api.errors import responses

router = Router(tags=["me"])


class TokenOut(BaseModel):
    name: str
    prefix: str = Field(description="The token's first characters.")
    kind: str = Field(description="personal or company.")


class MeOut(BaseModel):
    token: TokenOut
    username: str | None = Field(description="The token's user; null for a company token.")
    name: str | None
    role: str | None = Field(description="rep, manager or admin.")
    team: str | None


@router.get("/me", response=responses({200: MeOut}), summary="Who this token acts for")
def me(request: HttpRequest) -> MeOut:
    token = token_of(request)
    user = token.user
    return MeOut(
        token=TokenOut(
            name=token.name, prefix=token.prefix, kind="personal" if user else "company"
        ),
        username=user.username if user else None,
        name=(user.get_full_name() or user.username) if user else None,
        role=user.role if user else None,
        team=user.team.name if user and user.team else None,
    )
