"""The idea bank: add, edit, retire, upvote, "I used it", and suggestions.

Plain functions taking ``now``; every bad input is a ValidationError with a sentence a user
understands. Counts are subqueries (one row per idea, whatever the number of votes and uses).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from extramile.accounts.models import User
from extramile.accounts.scoping import can_see_customer
from extramile.book.models import Customer, normalise_tags
from extramile.ideas.models import IDEA_MAX, TAGS_MAX, Idea, IdeaUse, IdeaVote

# A use of an idea by the user costs it this many votes in their suggestions: an idea with three
# more votes than another still wins after one use, a second use tips the balance.
OWN_USE_PENALTY = 2
TAG_MAX = 30


class Sort:
    VOTES = "votes"
    NEWEST = "newest"
    LEAST_USED = "least-used"
    CHOICES = (VOTES, NEWEST, LEAST_USED)


def text_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def clean_text(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise ValidationError("Write the idea first: one or two sentences.")
    if len(text) > IDEA_MAX:
        raise ValidationError(
            f"Keep an idea to {IDEA_MAX} characters at most (this one has {len(text)})."
        )
    return text


def clean_tags(raw: str) -> str:
    tags = normalise_tags(raw)
    if len(tags) > TAGS_MAX:
        raise ValidationError(f"Tags fit in {TAGS_MAX} characters; use fewer of them.")
    long = [tag for tag in tags.split(", ") if len(tag) > TAG_MAX]
    if long:
        raise ValidationError(f"A tag is a word or two: “{long[0][:40]}” is too long.")
    return tags


def _refuse_duplicate(key: str, exclude: int | None = None) -> None:
    twins = Idea.objects.filter(text_key=key)
    if exclude is not None:
        twins = twins.exclude(pk=exclude)
    twin = twins.first()
    if twin is not None:
        state = " (retired)" if not twin.active else ""
        raise ValidationError(f"That idea is in the bank already{state}: “{twin.text}”.")


def add_idea(author: User, text: str, tags: str, now: dt.datetime) -> Idea:
    text, tags = clean_text(text), clean_tags(tags)
    key = text_key(text)
    _refuse_duplicate(key)
    try:
        with transaction.atomic():
            return Idea.objects.create(
                text=text, text_key=key, tags=tags, author=author, created_at=now
            )
    except IntegrityError:  # the same idea added twice at once
        _refuse_duplicate(key)
        raise


def can_edit(user: User, idea: Idea) -> bool:
    """The author, a manager or an admin edits or retires an idea."""
    return user.sees_team or (idea.author_id is not None and idea.author_id == user.pk)


def _check_editor(user: User, idea: Idea) -> None:
    if not can_edit(user, idea):
        raise PermissionDenied("Only the idea's author or a manager can change it.")


def edit_idea(user: User, idea: Idea, text: str, tags: str) -> Idea:
    _check_editor(user, idea)
    text, tags = clean_text(text), clean_tags(tags)
    key = text_key(text)
    _refuse_duplicate(key, exclude=idea.pk)
    idea.text, idea.text_key, idea.tags = text, key, tags
    try:
        with transaction.atomic():
            idea.save(update_fields=["text", "text_key", "tags"])
    except IntegrityError:
        _refuse_duplicate(key, exclude=idea.pk)
        raise
    return idea


def set_active(user: User, idea: Idea, active: bool) -> Idea:
    """Retire an idea (no longer suggested or shown by default) or bring it back."""
    _check_editor(user, idea)
    Idea.objects.filter(pk=idea.pk).update(active=active)
    idea.active = active
    return idea


def _usable(idea: Idea) -> None:
    if not idea.active:
        raise ValidationError("This idea is retired.")


def toggle_vote(idea: Idea, user: User, now: dt.datetime) -> bool:
    """Upvote, or take the upvote back. Returns whether the user now upvotes the idea."""
    _usable(idea)
    if idea.author_id == user.pk:
        raise ValidationError("Your own idea needs other people's votes, not yours.")
    if IdeaVote.objects.filter(idea=idea, user=user).delete()[0]:
        return False
    try:
        with transaction.atomic():
            IdeaVote.objects.create(idea=idea, user=user, created_at=now)
    except IntegrityError:  # a double click: the first one voted
        pass
    return True


def record_use(
    idea: Idea,
    user: User,
    now: dt.datetime,
    customer: Customer | None = None,
    note: str = "",
) -> IdeaUse:
    """Count one use of the idea by ``user`` (for ``customer``, who must be in their view)."""
    _usable(idea)
    if customer is not None and not can_see_customer(user, customer.pk):
        raise ValidationError("That customer is not in your book.")
    note = " ".join(note.split())
    if len(note) > 300:
        raise ValidationError("Keep the note to 300 characters at most.")
    return IdeaUse.objects.create(idea=idea, user=user, at=now, customer=customer, note=note)


def _count(model: type[IdeaVote] | type[IdeaUse], **extra: object) -> Coalesce:
    rows = (
        model.objects.filter(idea=OuterRef("pk"), **extra)
        .order_by()
        .values("idea")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def with_counts(ideas: QuerySet[Idea], user: User) -> QuerySet[Idea]:
    """Each idea with ``vote_count``, ``use_count``, ``my_uses`` and ``i_voted`` (0/1)."""
    return ideas.annotate(
        vote_count=_count(IdeaVote),
        use_count=_count(IdeaUse),
        my_uses=_count(IdeaUse, user=user),
        i_voted=_count(IdeaVote, user=user),
    )


def tagged(ideas: QuerySet[Idea], tags: Iterable[str]) -> QuerySet[Idea]:
    """Ideas carrying any of ``tags`` (tags are stored normalised: "a, b, c")."""
    rule = Q()
    for tag in {t.strip().lower() for t in tags if t.strip()}:
        rule |= (
            Q(tags=tag)
            | Q(tags__startswith=f"{tag}, ")
            | Q(tags__endswith=f", {tag}")
            | Q(tags__contains=f", {tag}, ")
        )
    return ideas.filter(rule) if rule else ideas


def bank(user: User, tag: str = "", sort: str = Sort.VOTES) -> QuerySet[Idea]:
    """The ideas page: active ideas, optionally one tag, sorted by votes, newest or least used
    by ``user``."""
    ideas = with_counts(tagged(Idea.objects.filter(active=True), [tag] if tag else []), user)
    ideas = ideas.select_related("author")
    if sort == Sort.NEWEST:
        return ideas.order_by("-created_at", "-id")
    if sort == Sort.LEAST_USED:
        return ideas.order_by("my_uses", "-vote_count", "-created_at", "-id")
    return ideas.order_by("-vote_count", "use_count", "-created_at", "-id")


def suggest(
    user: User, now: dt.datetime, tags: Iterable[str] | None = None, limit: int = 3
) -> list[Idea]:
    """Ideas for ``user``: well rated and not used by them yet.

    score = votes − OWN_USE_PENALTY × the user's own uses; ties go to the idea used least by
    everyone (spread the gestures around), then the newest. With ``tags``, only ideas carrying one
    of them (the caller falls back to no tags when that finds nothing). Retired ideas never.
    """
    ideas = with_counts(Idea.objects.filter(active=True, created_at__lte=now), user)
    if tags:
        ideas = tagged(ideas, tags)
    ideas = ideas.annotate(score=F("vote_count") - OWN_USE_PENALTY * F("my_uses"))
    return list(ideas.order_by("-score", "use_count", "-created_at", "-id")[:limit])


def all_tags() -> list[str]:
    """Every tag in use on an active idea, alphabetically (for the filter)."""
    seen: set[str] = set()
    for tags in Idea.objects.filter(active=True).exclude(tags="").values_list("tags", flat=True):
        seen.update(tag for tag in tags.split(", ") if tag)
    return sorted(seen)
