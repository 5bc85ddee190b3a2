"""Insights: does the extra mile pay? The figures page and the referral tree."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path

from extramile import clock
from extramile.book.models import Customer
from extramile.insights import analytics, tree
from extramile.insights.charts import figure_charts
from extramile.web.today import current_user


@login_required
def insights(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    n = analytics.clean_n(request.GET.get("n", analytics.DEFAULT_N))
    figures = analytics.page_figures(user, clock.now(), n)
    context = {
        **figures,
        "charts": figure_charts(figures),
        "min_group": analytics.MIN_GROUP,
        "bad_n": "n" in request.GET and str(n) != request.GET["n"].strip(),
        "max_n": analytics.MAX_N,
    }
    return render(request, "insights/insights.html", context)


@login_required
def referral_tree(request: HttpRequest, pk: int) -> HttpResponse:
    visible = Customer.objects.visible_to(current_user(request))
    customer = get_object_or_404(visible, pk=pk)
    found = tree.referral_tree(customer, visible)
    return render(request, "insights/referral_tree.html", {"customer": customer, "tree": found})


urlpatterns: list[URLPattern] = [
    path("insights/", insights, name="insights"),
    path("insights/referrals/<int:pk>/", referral_tree, name="referral-tree"),
]
