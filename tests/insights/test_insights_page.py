"""The page renders for a rep, a manager and an admin, each over their own scope, with its SVG
charts (titled, the numbers also in text) and the comparison's parameter checked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from extramile.charts import bar_chart, nice_top
from tests.conftest import NOW, PASSWORD, make_customer
from tests.insights.helpers import refer


def page(client, user, query=""):
    client.login(username=user.username, password=PASSWORD)
    response = client.get(reverse("insights") + query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who, customers", [("owner", 2), ("manager", 3), ("admin_user", 4)])
def test_each_role_sees_its_own_scope(request, client, owner, colleague, outsider, who, customers):
    make_customer(owner, "A", "A")
    refer(make_customer(owner, "B", "B"), make_customer(colleague, "C", "C"), dt.date.today())
    make_customer(outsider, "Xena", "Outis")
    html = page(client, request.getfixturevalue(who))
    assert f"{customers} customers and former customers counted" in html
    assert f"{customers} of the {customers} in " in html  # the book note: no prospects here
    assert "<svg" in html and "<title>Referrals per month" in html
    assert "Share of messages answered within the target" in html
    assert "not enough data" in html
    assert "Xena" not in html


def test_a_bad_n_says_why_and_falls_back(client, owner):
    html = page(client, owner, "?n=abc")
    assert "whole number from 1 to 100" in html and 'value="3"' in html
    assert 'value="5"' in page(client, owner, "?n=5")


def test_the_bar_chart_scales_and_titles_every_bar():
    chart = bar_chart(
        [("Jan", 0, "January: 0"), ("Feb", 4, "February: 4"), ("Mar", None, "-")], "T"
    )
    zero, four, gap = chart.bars
    top = chart.grid[-1][0]
    assert [label for _, label in chart.grid] == ["0", "1", "2", "3", "4", "5"]
    assert four.y == round(chart.baseline - (chart.baseline - top) * 4 / 5, 1)
    assert four.y + four.height == chart.baseline
    assert zero.height == 0 and gap.height == 0
    assert four.title == "February: 4" and chart.title == "T"
    assert [nice_top(v) for v in (0, 1, 3, 7, 40, 101)] == [1, 1, 5, 10, 50, 200]
    percent = bar_chart([("Jan", 50, "half")], "P", top=100, unit="%")
    assert percent.grid[-1][1] == "100%"


@pytest.mark.time_machine(NOW)  # the chart's last month is November 2026
def test_the_page_draws_both_charts_with_titles(client, owner):
    html = page(client, owner)
    assert html.count('role="img"') == 2 and html.count('<svg class="bars"') == 2
    assert html.count('class="bar"') == 24 + 12
    assert "<title>November 2026: 0 referrals</title>" in html
