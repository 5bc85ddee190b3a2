"""The sign-in guard: django-axes' backend, first in AUTHENTICATION_BACKENDS."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class SignInGuard(AxesStandaloneBackend):
    """Refuses a sign-in while its user name or client address is locked out (before the password
    is checked), so the right password does not get through a lockout either.

    django-axes insists on a request; ``authenticate()`` without one happens only off the web (the
    test client's ``login()``, a shell), where there is no client to count, so it passes on to the
    password check as Django does without axes. Every web sign-in (the login page, the admin's)
    passes its request.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
