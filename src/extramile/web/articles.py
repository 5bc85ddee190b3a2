"""The articles pages: the week's mailings to review (swap, skip), the library (add, edit,
deactivate, import, export) and a customer's topics. Articles by post print with the card batch
(the Cards page)."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from extramile import clock
from extramile.accounts.models import User
from extramile.articles import interests, review
from extramile.articles.importing import import_file
from extramile.articles.matching import Library, why
from extramile.articles.models import Article, ArticleMailing, CustomerTopic
from extramile.articles.planning import WINDOW_DAYS, plan_mailings
from extramile.book.models import Customer
from extramile.spreadsheet import safe_cell
from extramile.web.htmx import is_htmx
from extramile.web.today import current_user


def can_edit(user: User) -> bool:
    return user.sees_team


def parse_day(text: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default


def row_context(mailing: ArticleMailing, library: Library, topics: set[str]) -> dict[str, object]:
    open_ = mailing.status in review.OPEN
    return {
        "mailing": mailing,
        "shared": why(topics, mailing.article) if mailing.article else [],
        "choices": review.alternatives(mailing, library) if open_ else [],
        "open": open_,
    }


@login_required
def week(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    now = clock.now()
    today = user.local_date(now)
    start = parse_day(request.GET.get("from"), today)
    end = start + dt.timedelta(days=WINDOW_DAYS - 1)
    owners = User.objects.visible_to(user).active()
    owner = request.GET.get("owner", "")
    if owner.isdigit():
        owners = owners.filter(pk=int(owner))
    if start >= today:  # the week ahead is planned on the spot if the nightly plan has not run
        plan_mailings(start, end, now, owners, today=today)
    mailings = list(
        ArticleMailing.objects.visible_to(user)
        .filter(owner__in=owners, planned_on__gte=start, planned_on__lte=end)
        .select_related("customer", "article", "owner")
        .order_by("planned_on", "owner__username", "customer__last_name", "id")
    )
    library = Library.load()
    topics = interests.topics_for(m.customer_id for m in mailings)
    groups: dict[dt.date, list[dict[str, object]]] = defaultdict(list)
    for mailing in mailings:
        groups[mailing.planned_on].append(
            row_context(mailing, library, topics.get(mailing.customer_id, set()))
        )
    context = {
        "start": start,
        "end": end,
        "groups": sorted(groups.items()),
        "owners": User.objects.visible_to(user).active()
        if User.objects.visible_to(user).active().count() > 1
        else None,
        "owner": owner,
        "previous": start - dt.timedelta(days=WINDOW_DAYS),
        "next": end + dt.timedelta(days=1),
    }
    return render(request, "articles/week.html", context)


def mailing_answer(request: HttpRequest, mailing: ArticleMailing, error: str = "") -> HttpResponse:
    if is_htmx(request):
        mailing = ArticleMailing.objects.select_related("customer", "article", "owner").get(
            pk=mailing.pk
        )
        topics = interests.topics_for([mailing.customer_id]).get(mailing.customer_id, set())
        context = {**row_context(mailing, Library.load(), topics), "error": error}
        return render(request, "articles/_mailing.html", context)
    if error:
        messages.error(request, error)
    return redirect(request.POST.get("next") or "articles")


def find_mailing(request: HttpRequest, pk: int) -> ArticleMailing:
    return get_object_or_404(
        ArticleMailing.objects.visible_to(current_user(request)).select_related(
            "customer", "article"
        ),
        pk=pk,
    )


@require_POST
@login_required
def swap(request: HttpRequest, pk: int) -> HttpResponse:
    mailing = find_mailing(request, pk)
    choice = request.POST.get("article", "")
    try:
        if not choice.isdigit():
            raise ValidationError("Choose an article from the list.")
        mailing = review.swap(mailing, int(choice), clock.now())
    except ValidationError as error:
        return mailing_answer(request, mailing, " ".join(error.messages))
    return mailing_answer(request, mailing)


@require_POST
@login_required
def skip(request: HttpRequest, pk: int) -> HttpResponse:
    mailing = find_mailing(request, pk)
    try:
        mailing = review.skip(mailing, request.POST.get("reason", ""), clock.now())
    except ValidationError as error:
        return mailing_answer(request, mailing, " ".join(error.messages))
    return mailing_answer(request, mailing)


class ArticleForm(forms.ModelForm):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https")

    class Meta:
        model = Article
        fields = ["title", "url", "summary", "topics", "language", "active"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}


class ImportForm(forms.Form):
    file = forms.FileField(help_text="CSV (title,url,summary,topics,language), RSS or Atom.")


@login_required
def library(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = ArticleForm()
    if request.method == "POST":
        if not can_edit(user):
            raise PermissionDenied("Only managers and admins change the library.")
        form = ArticleForm(request.POST)
        if form.is_valid():
            article = form.save(commit=False)
            article.created_at = clock.now()
            article.save()
            messages.success(request, f"“{article.title}” is in the library.")
            return redirect("article-library")
    articles = Article.objects.order_by("-active", "title")
    context = {
        "articles": articles,
        "form": form,
        "import_form": ImportForm(),
        "can_edit": can_edit(user),
    }
    return render(request, "articles/library.html", context)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_edit(current_user(request)):
        raise PermissionDenied("Only managers and admins change the library.")
    article = get_object_or_404(Article, pk=pk)
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"“{article.title}” saved.")
        return redirect("article-library")
    return render(request, "articles/edit.html", {"form": form, "article": article})


@require_POST
@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    if not can_edit(current_user(request)):
        raise PermissionDenied("Only managers and admins change the library.")
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a CSV, RSS or Atom file to import.")
        return redirect("article-library")
    try:
        result = import_file(form.cleaned_data["file"].read(), clock.now())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("article-library")
    messages.success(request, f"Imported: {result.summary()}.")
    for problem in result.errors[:20]:
        messages.warning(request, problem)
    return redirect("article-library")


def cell(value: str) -> str:
    """Spreadsheet-safe: a cell a spreadsheet would run as a formula gets a leading ``'``."""
    return safe_cell(value)


@login_required
def export(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="articles.csv"'
    writer = csv.writer(response)
    writer.writerow(["title", "url", "summary", "topics", "language"])
    for article in Article.objects.filter(active=True).order_by("title"):
        writer.writerow(
            [cell(v) for v in (article.title, article.url, article.summary, article.topics)]
            + [cell(article.language)]
        )
    return response


@login_required
def customer_topics(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer.objects.visible_to(current_user(request)), pk=pk)
    if request.method == "POST":
        chosen = interests.set_topics(customer, request.POST.get("topics", ""))
        messages.success(request, f"Topics saved: {', '.join(chosen) or 'none'}.")
        return redirect("customer-topics", pk=customer.pk)
    explicit = ", ".join(
        CustomerTopic.objects.filter(customer=customer).values_list("topic", flat=True)
    )
    context = {
        "customer": customer,
        "explicit": explicit,
        "all_topics": interests.customer_topics(customer),
        "mailings": ArticleMailing.objects.filter(customer=customer)
        .select_related("article")
        .order_by("-planned_on"),
    }
    return render(request, "articles/topics.html", context)


urlpatterns = [
    path("articles/", week, name="articles"),
    path("articles/mailings/<int:pk>/swap/", swap, name="article-swap"),
    path("articles/mailings/<int:pk>/skip/", skip, name="article-skip"),
    path("articles/library/", library, name="article-library"),
    path("articles/library/<int:pk>/", edit, name="article-edit"),
    path("articles/library/import/", import_view, name="article-import"),
    path("articles/library/export.csv", export, name="article-export"),
    path("articles/customers/<int:pk>/topics/", customer_topics, name="customer-topics"),
]
