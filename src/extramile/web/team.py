"""The Team page: the dashboard per rep and for the team, the leaderboard, the CSV export."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from extramile import clock
from extramile.accounts.models import Company, User
from extramile.spreadsheet import safe_cell
from extramile.team import figures, trend
from extramile.web.today import current_user


def team_members(user: User) -> list[User]:
    """Whom the dashboard covers: a manager's team, everyone for an admin, a rep's own team
    (a rep sees the team's figures; the team is who they work with)."""
    if user.sees_team:
        people = User.objects.visible_to(user).active()
    elif user.team_id is not None:
        people = User.objects.filter(is_active=True, team_id=user.team_id)
    else:
        people = User.objects.filter(pk=user.pk)
    return list(people.order_by("first_name", "username"))


def dashboard(request: HttpRequest) -> figures.Dashboard:
    user = current_user(request)
    kind = request.GET.get("period", "week")
    if kind not in figures.PERIODS:
        kind = "week"
    now = clock.now()
    return figures.build(team_members(user), kind, user.local_date(now), now)


@login_required
def team(request: HttpRequest) -> HttpResponse:
    board = dashboard(request)
    company = Company.get()
    now = clock.now()
    weekly = trend.weekly(
        [rep.pk for rep in board.reps], current_user(request).local_date(now), now
    )
    context = {
        "trend": weekly,
        "trend_charts": trend.charts(weekly),
        "board": board,
        "periods": figures.PERIODS,
        "period_label": figures.PERIODS[board.period.kind].lower(),
        "leaderboard": board.leaderboard() if company.leaderboard else None,
    }
    return render(request, "team/team.html", context)


@login_required
def export(request: HttpRequest) -> HttpResponse:
    board = dashboard(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"extramile-team-{board.period.kind}-{board.period.first:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(["rep", *(column.label for column in board.columns)])
    for rep, values in board.rows():
        writer.writerow([safe_cell(str(rep)), *(value.display() for value in values)])
    writer.writerow(["Team", *(value.display() for value in board.team_row())])
    return response


urlpatterns: list[URLPattern] = [
    path("team/", team, name="team"),
    path("team/export.csv", export, name="team-export"),
]
