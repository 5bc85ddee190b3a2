"""API test helpers: a client that sends a token, and tokens for the shared users."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from extramile.accounts.models import User
from extramile.api.tokens import issue


class Api:
    """Django's test client speaking JSON with ``Authorization: Bearer <secret>``."""

    def __init__(self, client: Client, secret: str | None) -> None:
        self.client = client
        self.secret = secret

    def _headers(self, extra: dict[str, str]) -> dict[str, str]:
        headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in extra.items()}
        if self.secret is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.secret}"
        return headers

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
        return self.client.get(path, params, **self._headers(headers or {}))

    def send(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        data = body if isinstance(body, str | bytes) else json.dumps(body or {})
        call = getattr(self.client, method)
        return call(path, data, content_type="application/json", **self._headers(headers))

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.send("post", path, body, **headers)

    def patch(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.send("patch", path, body, **headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(path, **self._headers({}))


def token_for(user: User | None) -> str:
    return issue(f"Token of {user or 'the company'}", timezone.now(), user=user)[1]


@pytest.fixture
def as_owner(client, owner) -> Api:
    return Api(client, token_for(owner))


@pytest.fixture
def as_outsider(client, outsider) -> Api:
    return Api(client, token_for(outsider))


@pytest.fixture
def as_manager(client, manager) -> Api:
    return Api(client, token_for(manager))


@pytest.fixture
def as_company(client, company) -> Api:
    return Api(client, token_for(None))
