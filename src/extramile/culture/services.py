"""Stories and kudos: who sees which story, writing one, kudos, the manager's story of the week and
the draft a went-wrong service request leaves behind. Functions take ``now`` explicitly.

Visibility: a team story is seen by the whole company (stories are meant to be talked about); a
private one by its author only — ``visible_stories`` is the one place that says so.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet

from extramile.accounts.models import User
from extramile.agenda import actions
from extramile.agenda.models import Action
from extramile.agenda.registry import ActionSpec, completer
from extramile.book.models import Customer
from extramile.culture.habits import REQUEST_STORY, STORY
from extramile.culture.models import Kudos, Story, StoryOfTheWeek, Visibility

if TYPE_CHECKING:
    from extramile.service.models import ServiceRequest

MAX_TEXT = 5000
MAX_KUDOS_MESSAGE = 300
REQUEST_STORY_DAYS = 14  # how long Today asks to finish a went-wrong request's story


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def weekly_key(user_id: int, start: dt.date) -> str:
    return STORY.key.build(user_id, start)


def request_key(request_id: int) -> str:
    return REQUEST_STORY.build(request_id)


def with_kudos_count(stories: QuerySet[Story]) -> QuerySet[Story]:
    return stories.annotate(kudos_count=Count("kudos", distinct=True))


def can_choose_story_of_the_week(user: User) -> bool:
    return user.is_active and user.sees_team


def _text(value: str | None, label: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Keep {label} under {MAX_TEXT} characters.")
    return text


def _check_links(author: User, customer: Customer | None, coworker: User | None) -> None:
    if (
        customer is not None
        and not Customer.objects.visible_to(author).filter(pk=customer.pk).exists()
    ):
        raise ValidationError("Choose a customer from your own book.")
    if coworker is not None and (coworker.pk == author.pk or not coworker.is_active):
        raise ValidationError("Choose a co-worker other than yourself.")


@transaction.atomic
def save_story(
    author: User,
    now: dt.datetime,
    *,
    what_done: str,
    date: dt.date | None = None,
    situation: str = "",
    reaction: str = "",
    lesson: str = "",
    visibility: str = Visibility.TEAM,
    customer: Customer | None = None,
    coworker: User | None = None,
    story: Story | None = None,
) -> Story:
    """Write a new story, or (with ``story``) edit one of the author's own. Saving a story closes
    Today's prompts it answers: the week's, and a went-wrong request's."""
    if story is not None and story.author_id != author.pk:
        raise ValidationError("Only its author can edit a story.")
    today = author.local_date(now)
    date = date or today
    if date > today:
        raise ValidationError(
            "A story is about something that has happened: pick today or earlier."
        )
    if visibility not in Visibility.values:
        raise ValidationError("Choose who sees the story: the whole company or only you.")
    what_done = _text(what_done, "what was done")
    if not what_done:
        raise ValidationError("Say what was done: that is the story.")
    _check_links(author, customer, coworker)
    story = story or Story(author=author, created_at=now)
    story.date = date
    story.situation = _text(situation, "the situation")
    story.what_done = what_done
    story.reaction = _text(reaction, "the reaction")
    story.lesson = _text(lesson, "the lesson")
    story.visibility = visibility
    story.customer = customer
    story.coworker = coworker
    story.updated_at = now
    story.save()
    if story.is_private:
        # A story the author has taken back is no longer anyone's story of the week.
        StoryOfTheWeek.objects.filter(story=story).delete()
    _close_prompts(story, now)
    return story


def _close_prompts(story: Story, now: dt.datetime, request_prompt: bool = True) -> None:
    keys = [weekly_key(story.author_id, week_start(story.date))]
    if request_prompt and story.service_request_id is not None:
        keys.append(request_key(story.service_request_id))
    actions.close(keys, now, outcome="Story written.")


def draft_from_request(request: ServiceRequest, user: User, now: dt.datetime) -> Story | None:
    """A went-wrong request has been resolved with the rep's story text: keep it as a private draft
    story linked to the request, and ask the rep on Today to finish and share it. Resolving the
    same request again (after a reopen) keeps the draft there is."""
    if not request.went_wrong:
        return None
    existing = Story.objects.filter(service_request=request).first()
    if existing is not None:
        return existing
    story = Story.objects.create(
        author=user,
        customer=request.customer,
        date=user.local_date(now),
        situation="\n\n".join(part for part in (request.subject, request.details) if part),
        what_done=request.story,
        visibility=Visibility.PRIVATE,
        service_request=request,
        created_at=now,
        updated_at=now,
    )
    actions.put(
        ActionSpec(
            key=request_key(request.pk),
            kind=STORY.kind,
            owner_id=user.pk,
            customer_id=request.customer_id,
            title=f"Write the story of “{request.subject}”",
            detail="Something went wrong and you put it right. Add how the customer took it "
            "and the lesson, then share it with the team.",
            due_on=story.date,
            expires_on=story.date + dt.timedelta(days=REQUEST_STORY_DAYS),
            priority=STORY.priority,
        ),
        now,
    )
    _close_prompts(story, now, request_prompt=False)  # the draft counts for the week
    return story


def give_kudos(story: Story, giver: User, now: dt.datetime, message: str = "") -> Kudos:
    if not Story.objects.visible_to(giver).filter(pk=story.pk).exists():
        raise ValidationError("This story is private.")
    if story.author_id == giver.pk:
        raise ValidationError("Kudos are for a colleague's story, not your own.")
    message = (message or "").strip()
    if len(message) > MAX_KUDOS_MESSAGE:
        raise ValidationError(f"Keep the message under {MAX_KUDOS_MESSAGE} characters.")
    try:
        with transaction.atomic():
            return Kudos.objects.create(story=story, giver=giver, message=message, created_at=now)
    except IntegrityError:
        raise ValidationError("You have given kudos for this story already.") from None


@transaction.atomic
def choose_story_of_the_week(story: Story, chooser: User, now: dt.datetime) -> StoryOfTheWeek:
    """A manager or an admin picks this week's story (a team story); picking again replaces it."""
    if not can_choose_story_of_the_week(chooser):
        raise ValidationError("Only a manager or an admin chooses the story of the week.")
    if story.is_private:
        raise ValidationError(
            "A private story cannot be the story of the week: ask its author to share it."
        )
    chosen, _ = StoryOfTheWeek.objects.update_or_create(
        week_start=week_start(chooser.local_date(now)),
        defaults={"story": story, "chosen_by": chooser, "chosen_at": now},
    )
    return chosen


def story_of_the_week(day: dt.date) -> Story | None:
    """The story chosen for ``day``'s week, if it is (still) a team story. For Today and the digest."""
    chosen = (
        StoryOfTheWeek.objects.filter(week_start=week_start(day), story__visibility=Visibility.TEAM)
        .select_related("story__author", "story__customer", "story__coworker")
        .first()
    )
    return chosen.story if chosen is not None else None


@completer(STORY.kind)
def story_done(action: Action, now: dt.datetime, outcome: str) -> None:
    """Done on the week's prompt needs a story dated that week; a request's draft exists already."""
    parts = STORY.key.parts(action.key)
    if REQUEST_STORY.owns(action.key) or not parts:
        return
    start = dt.date.fromisoformat(parts[-1])
    written = Story.objects.filter(
        author_id=action.owner_id, date__gte=start, date__lt=start + dt.timedelta(days=7)
    )
    if not written.exists():
        raise ValidationError("Write this week's story first: press “Write it”.")


def on_went_wrong_resolved(
    sender: object, request: ServiceRequest, user: User, now: dt.datetime, **kwargs: object
) -> None:
    """``service.signals.went_wrong_resolved``: keep the rep's story of the request as a draft."""
    draft_from_request(request, user, now)
