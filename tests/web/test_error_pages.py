"""403, 404 and 500 in the layout; a refused request logged without a traceback; /favicon.ico;
the currency of amounts."""

from __future__ import annotations

import io
import logging
import sys
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.views import defaults

from extramile.articles.models import Article
from extramile.ops import logs
from tests.conftest import NOW, PASSWORD


def test_a_403_is_drawn_in_the_layout_and_logged_as_one_line(client, owner):
    article = Article.objects.create(
        title="Winter tyres", url="https://example.com/tyres", created_at=NOW
    )
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(logs.NoTracebackBelow500())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        assert client.login(username=owner.username, password=PASSWORD)
        response = client.get(reverse("article-edit", args=[article.pk]))
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Not for your role" in page and 'aria-label="Main"' in page  # the layout's navigation
    logged = buffer.getvalue()
    assert "Forbidden" in logged and "Traceback" not in logged


def test_a_404_is_drawn_in_the_layout(client, owner):
    assert client.login(username=owner.username, password=PASSWORD)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Nothing here" in response.content.decode()
    assert "Back to Today" in response.content.decode()


def test_a_500_page_needs_nothing_but_the_template(rf):
    response = defaults.server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_the_filter_keeps_a_500s_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        info = sys.exc_info()
    refused = logging.LogRecord("django.request", 30, "", 0, "Forbidden", (), info)
    refused.status_code = 403
    broken = logging.LogRecord("django.request", 40, "", 0, "Server error", (), info)
    broken.status_code = 500
    assert logs.NoTracebackBelow500().filter(refused) and refused.exc_info is None
    assert logs.NoTracebackBelow500().filter(broken) and broken.exc_info is info


def test_favicon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith(".ico")


@pytest.mark.parametrize(
    ("code", "amount", "places", "shown"),
    [
        ("USD", Decimal("1249.5"), 2, "$1,249.50"),
        ("EUR", Decimal("1249.5"), 0, "€1,250"),
        ("SEK", Decimal("-80"), 2, "−80.00 SEK"),
        ("USD", None, 2, ""),
    ],
)
def test_amounts_carry_the_currency(settings, code, amount, places, shown):
    settings.EXTRAMILE_CURRENCY = code
    template = Template("{% load ui %}{{ amount|money:places }}")
    assert template.render(Context({"amount": amount, "places": places})) == shown
