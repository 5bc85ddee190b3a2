"""What Today shows at the top for culture: the story of the week and the daily check-in."""

from __future__ import annotations

import datetime as dt

from extramile.accounts.models import User
from extramile.culture.checkins import SCORES, today_check_in
from extramile.culture.services import story_of_the_week


def today_context(user: User, day: dt.date) -> dict[str, object]:
    return {
        "story_of_the_week": story_of_the_week(day),
        "check_in": today_check_in(user, day),
        "check_in_scores": SCORES,
    }
