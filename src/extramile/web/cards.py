"""The Cards page: the week's batch by mail-by date, the card editor with its suggestions and the
guard's verdict, marking written and mailed, and the print downloads."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from extramile import clock
from extramile.accounts.models import Company, User
from extramile.accounts.scoping import get_visible_or_404
from extramile.cards import language as card_language
from extramile.cards import messages as card_messages
from extramile.cards import monthly, output, previews, services, thanks
from extramile.cards.forms import BrandingForm, SignerForm
from extramile.cards.models import (
    Card,
    CardBranding,
    CardSigner,
    CardStatus,
    CardTemplate,
    Occasion,
)
from extramile.cards.printing import DESIGNS, PrintError
from extramile.web.today import answer, current_user, owned_action

MAX_RANGE = dt.timedelta(days=92)
MONTHS = 6


def this_week(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def parse_range(params: QueryDict, day: dt.date) -> tuple[dt.date, dt.date, str]:
    """The mail-by range asked for (default: this week); an error message for a bad one."""
    start, end = this_week(day)
    try:
        if params.get("from"):
            start = dt.date.fromisoformat(str(params["from"]))
        if params.get("to"):
            end = dt.date.fromisoformat(str(params["to"]))
    except ValueError:
        return (*this_week(day), "Dates are written YYYY-MM-DD; showing this week instead.")
    if end < start:
        return (*this_week(day), "The range ends before it starts; showing this week instead.")
    if end - start > MAX_RANGE:
        return start, start + MAX_RANGE, "A batch covers three months at most; showing those."
    return start, end, ""


def batch_queryset(params: QueryDict, user: User, start: dt.date, end: dt.date) -> QuerySet[Card]:
    cards = Card.objects.visible_to(user).filter(mail_by__gte=start, mail_by__lte=end)
    owner = params.get("owner", "")
    if owner.isdigit():
        cards = cards.filter(owner_id=int(owner))
    return cards


def per_rep_per_month(user: User, day: dt.date) -> dict[str, Any]:
    """Cards mailed per rep per month, for the last few months, for whoever the user may see."""
    first = (day.replace(day=1) - dt.timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    rows = (
        Card.objects.visible_to(user)
        .filter(status=CardStatus.MAILED, mailed_at__date__gte=first)
        .annotate(month=TruncMonth("mailed_at"))
        .values("owner__username", "owner__first_name", "owner__last_name", "month")
        .annotate(count=Count("id"), overrides=Count("id", filter=~Q(override_reason="")))
    )
    months: list[dt.date] = []
    cursor = first
    while cursor <= day:
        months.append(cursor)
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    table: dict[str, dict[dt.date, int]] = defaultdict(dict)
    overrides: dict[str, int] = defaultdict(int)
    for row in rows:
        name = " ".join(p for p in (row["owner__first_name"], row["owner__last_name"]) if p)
        name = name or row["owner__username"]
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        table[name][month] = row["count"]
        overrides[name] += row["overrides"]
    return {
        "months": months,
        "rows": [
            (name, [counts.get(m, 0) for m in months], overrides[name])
            for name, counts in sorted(table.items())
        ],
    }


@login_required
def card_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    day = user.local_date(clock.now())
    start, end, problem = parse_range(request.GET, day)
    if problem:
        messages.warning(request, problem)
    cards = (
        batch_queryset(request.GET, user, start, end)
        .select_related(
            "customer__household", "household", "occasion", "owner", "article_mailing__article"
        )
        .order_by("mail_by", "customer__last_name", "customer__first_name", "id")
    )
    groups: dict[dt.date, list[Card]] = defaultdict(list)
    for card in cards:
        groups[card.mail_by].append(card)
    # Thank-you notes show what was bought (one query for the page's notes).
    notes = [card for group in groups.values() for card in group if card.occasion.is_thank_you]
    bought = thanks.purchases_by_day((card.customer_id, card.occasion_on) for card in notes)
    about = {
        card.pk: "for " + thanks.what(bought[(card.customer_id, card.occasion_on)])
        for card in notes
    }
    # Articles by post show the article's title.
    for group in groups.values():
        for card in group:
            mailing = card.article_mailing
            if mailing is not None and mailing.article is not None:
                about[card.pk] = f"“{mailing.article.title}”"
    summary = services.tally(card for group in groups.values() for card in group)
    owners = User.objects.visible_to(user).active()
    query = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "owner": request.GET.get("owner", ""),
    }
    context = {
        "start": start,
        "end": end,
        "day": day,
        "groups": [
            (mail_by, [(card, about.get(card.pk, "")) for card in group])
            for mail_by, group in sorted(groups.items())
        ],
        "counts": summary.counts,
        "needs_address": len(summary.unaddressed),
        "query": "&".join(f"{k}={v}" for k, v in query.items() if v),
        "owner": request.GET.get("owner", ""),
        "owners": owners if owners.count() > 1 else None,
        "previous": (start - dt.timedelta(days=7), end - dt.timedelta(days=7)),
        "next": (start + dt.timedelta(days=7), end + dt.timedelta(days=7)),
        "stats": per_rep_per_month(user, day),
        "monthly": monthly.summary(
            day.year,
            day.month,
            list(User.objects.visible_to(user).active().values_list("pk", flat=True)),
        ),
        "country": Company.get().country,
    }
    return render(request, "cards/card_list.html", context)


def card_or_404(request: HttpRequest, pk: int) -> Card:
    return get_visible_or_404(
        Card.objects.select_related("customer", "household", "occasion", "owner"),
        current_user(request),
        pk=pk,
    )


def editor_context(card: Card, message: str | None = None, **extra: Any) -> dict[str, Any]:
    draft = card_messages.draft(card)
    text = message if message is not None else (card.message or draft)
    company = Company.get()
    return {
        "card": card,
        "address": output.address_lines(card.postal_source, company.country),
        "message": text,
        "verdict": services.check(card, text) if card.is_open else None,
        "suggestions": card_messages.suggestions(card, clock.now()),
        "fields": card_messages.FIELDS,
        **extra,
    }


@login_required
def card_detail(request: HttpRequest, pk: int) -> HttpResponse:
    card = card_or_404(request, pk)
    if request.method != "POST":
        return render(request, "cards/card_detail.html", editor_context(card))
    now = clock.now()
    action = request.POST.get("action", "")
    message = request.POST.get("message", card.message)
    try:
        if action == "save":
            services.save_draft(card, message, now)
            note = "Draft saved."
        elif action == "written":
            services.mark_written(card, message, now, request.POST.get("override", ""))
            note = "Marked written: it will print with the batch."
        elif action == "handwritten":
            services.mark_handwritten(card, now)
            note = "Marked handwritten: only its envelope and label will print."
        elif action == "skip":
            services.skip(card, request.POST.get("reason", ""), now)
            note = "Skipped."
        elif action == "reopen":
            services.reopen(card, now)
            note = "Reopened."
        elif action == "mailed":
            if not services.mark_mailed(Card.objects.filter(pk=card.pk), now):
                raise ValidationError("Only a written card can be marked mailed.")
            note = "Marked mailed."
        else:
            raise ValidationError("Choose what to do with the card.")
    except services.GuardRefused as refused:
        context = editor_context(card, message, refused=refused.verdict.reason)
        return render(request, "cards/card_detail.html", context, status=422)
    except ValidationError as error:
        context = editor_context(card, message, error=" ".join(error.messages))
        return render(request, "cards/card_detail.html", context, status=422)
    messages.success(request, note)
    return redirect("card", pk=card.pk)


@require_POST
@login_required
def card_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The guard's verdict on the words being typed (htmx, live)."""
    card = card_or_404(request, pk)
    message = request.POST.get("message", "")[: services.MAX_MESSAGE + 1]
    return render(request, "cards/_verdict.html", {"verdict": services.check(card, message)})


@require_POST
@login_required
def mark_batch_mailed(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    day = user.local_date(clock.now())
    start, end, _problem = parse_range(request.POST, day)
    count = services.mark_mailed(batch_queryset(request.POST, user, start, end), clock.now())
    if count:
        messages.success(request, f"Marked {count} written card{'s' if count != 1 else ''} mailed.")
    else:
        messages.warning(request, "No written cards in this batch to mark mailed.")
    query = f"?from={start.isoformat()}&to={end.isoformat()}"
    if request.POST.get("owner", "").isdigit():
        query += f"&owner={request.POST['owner']}"
    return redirect(reverse("cards") + query)


@login_required
def download(request: HttpRequest, kind: str) -> HttpResponse:
    user = current_user(request)
    day = user.local_date(clock.now())
    start, end, problem = parse_range(request.GET, day)
    company = Company.get()
    options = output.Options(
        layout=request.GET.get("layout", ""),
        paper=request.GET.get("paper", ""),
        envelope=request.GET.get("envelope", ""),
        sheet=request.GET.get("sheet", ""),
    )
    try:
        if problem:
            raise PrintError(problem)
        cards = batch_queryset(request.GET, user, start, end)
        batch = output.build(cards, company, include_notes=request.GET.get("notes") == "1")
        data = output.render(kind, batch, company, options)
        for warning in batch.warnings:
            messages.warning(request, warning)
    except PrintError as error:
        messages.error(request, str(error))
        return redirect(reverse("cards") + f"?from={start.isoformat()}&to={end.isoformat()}")
    content_type = "text/csv; charset=utf-8" if kind == "csv" else "application/pdf"
    response = HttpResponse(data, content_type=content_type)
    name = output.filename(kind, start, end)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def templates(request: HttpRequest) -> HttpResponse:
    """The rep's own wording per occasion, beside the company's."""
    user = current_user(request)
    occasions = list(
        Occasion.objects.exclude(code__startswith="monthly-").order_by("-sends_by_default", "name")
    )
    company = card_messages.company_language()
    chosen = str(request.POST.get("language") or request.GET.get("language") or "")
    lang = "" if chosen not in card_language.languages() or chosen == company else chosen
    own = dict(
        CardTemplate.objects.filter(user=user, language=lang).values_list("occasion_id", "text")
    )
    errors: dict[int, str] = {}
    if request.method == "POST":
        for occasion in occasions:
            field = f"template-{occasion.pk}"
            if field not in request.POST:
                continue
            text = str(request.POST[field])
            try:
                services.save_template(user, occasion, text, lang)
            except ValidationError as error:
                errors[occasion.pk] = " ".join(error.messages)
            own[occasion.pk] = text
        if not errors:
            messages.success(request, "Saved your card wording.")
            suffix = f"?language={lang}" if lang else ""
            return redirect(reverse("card-templates") + suffix)
    rows = [(o, own.get(o.pk, ""), errors.get(o.pk, "")) for o in occasions]
    context = {
        "rows": rows,
        "fields": card_messages.FIELDS,
        "language": lang or company,
        "languages": card_language.choices(),
    }
    return render(request, "cards/templates.html", context, status=422 if errors else 200)


# --- Thank-you notes on Today -------------------------------------------------------------------


def note_step(
    request: HttpRequest, pk: int, step: Callable[[Card, dt.datetime], str]
) -> HttpResponse:
    """Apply one step to the note behind a thank-you row on Today; answer with the row."""
    action = owned_action(request, pk)
    card = thanks.card_of(action)
    if (
        card is None
        or not Card.objects.visible_to(current_user(request)).filter(pk=card.pk).exists()
    ):
        return answer(request, action, error="This thank-you note no longer exists.")
    try:
        note = step(card, clock.now())
    except ValidationError as error:
        return answer(request, action, error=" ".join(error.messages))
    action.refresh_from_db()
    return answer(request, action, note=note)


def _written(card: Card, now: dt.datetime) -> str:
    services.mark_handwritten(card, now)
    return "Written by hand: mail it next."


def _mailed(card: Card, now: dt.datetime) -> str:
    if card.status == CardStatus.MAILED:
        thanks.close_actions([card.pk], CardStatus.MAILED, now)
        return "Already mailed."
    if card.status == CardStatus.PLANNED:
        services.mark_handwritten(card, now)
    services.mark_mailed(Card.objects.filter(pk=card.pk), now)
    return "Mailed. Thank you!"


@require_POST
@login_required
def note_written(request: HttpRequest, pk: int) -> HttpResponse:
    return note_step(request, pk, _written)


@require_POST
@login_required
def note_mailed(request: HttpRequest, pk: int) -> HttpResponse:
    return note_step(request, pk, _mailed)


@require_POST
@login_required
def note_skip(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "").strip() or "Skipped from Today."

    def _skip(card: Card, now: dt.datetime) -> str:
        services.skip(card, reason, now)
        return "Skipped."

    return note_step(request, pk, _skip)


# --- Card design (the Settings page's Cards section) --------------------------------------------


def design_context(user: User, **forms: Any) -> dict[str, Any]:
    """What the Settings page's Cards section shows: the rep's signature form, and for admins the
    branding form; each design's preview."""
    signer, _ = CardSigner.objects.get_or_create(user=user)
    branding = CardBranding.get()
    return {
        "signer_form": forms.get("signer_form") or SignerForm(instance=signer, prefix="signer"),
        "branding_form": forms.get("branding_form")
        or (BrandingForm(instance=branding, prefix="branding") if user.is_admin_role else None),
        "designs": DESIGNS,
        "stamp": int(branding.updated_at.timestamp()) if branding.updated_at else 0,
    }


@require_POST
@login_required
def card_design(request: HttpRequest) -> HttpResponse:
    """Save the rep's signature, or (admins) the company's card branding."""
    user = current_user(request)
    if "signer-printed_name" in request.POST:
        signer, _ = CardSigner.objects.get_or_create(user=user)
        form = SignerForm(request.POST, instance=signer, prefix="signer")
        if form.is_valid():
            form.save()
            messages.success(request, "Your signature on cards is saved.")
            return redirect(reverse("settings") + "#cards")
        return render(
            request, "cards/design.html", design_context(user, signer_form=form), status=422
        )
    if not user.is_admin_role:
        raise PermissionDenied("Only an admin changes the company's card design.")
    branding_form = BrandingForm(
        request.POST, request.FILES, instance=CardBranding.get(), prefix="branding"
    )
    if branding_form.is_valid():
        branding = branding_form.save(commit=False)
        branding.updated_at = clock.now()
        branding.save()
        messages.success(request, "The card design is saved.")
        return redirect(reverse("settings") + "#cards")
    context = design_context(user, branding_form=branding_form)
    return render(request, "cards/design.html", context, status=422)


@login_required
def design_preview(request: HttpRequest, design: str) -> HttpResponse:
    """A sample card in ``design`` with the company's branding, as PNG (cached on disk)."""
    if design not in DESIGNS:
        raise Http404("No such design.")
    style = output.style_of(CardBranding.get())
    response = HttpResponse(previews.preview(design, style), content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response
