"""The articles' habit: a week after a mailing, a call to talk about how it applies."""

from __future__ import annotations

from extramile.agenda.habits import Habit, Key
from extramile.agenda.models import Priority

ARTICLE_FOLLOW_UP = Habit(
    kind="article_follow_up",
    label="Talk about an article",
    priority=Priority.NORMAL,
    key=Key("article-follow-up"),  # article-follow-up:<mailing>
    value_adding=True,
    held_back=True,
)
HABITS = (ARTICLE_FOLLOW_UP,)
