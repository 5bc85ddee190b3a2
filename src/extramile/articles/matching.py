"""Which article a customer gets: the best topic match they have not had, the least sent on a tie.

The library is small (hundreds or a few thousand articles), so it is loaded once per run with each
article's send count; customers' topics and the articles they have had are loaded in bulk per
batch. Ranking is one key for every case: most shared topics first, then the least sent article
overall, then the oldest. A customer without topics (or whose topics match nothing new) so gets
the least sent article they have not had. An article whose language is set and differs from the
customer's (compared on the main language: en-GB is en) is not offered. Counts go up as
articles are assigned, so one run spreads ties over the library instead of sending one article
to everybody.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, QuerySet

from extramile.articles.interests import topics_for
from extramile.articles.models import Article, ArticleMailing, MailingStatus
from extramile.articles.topics import split_topics

NONE_LEFT = "Every article in the library has been sent to this customer."
BATCH = 5000


def main_language(code: str) -> str:
    return code.strip().lower().replace("_", "-").split("-")[0]


@dataclass
class Candidate:
    id: int
    title: str
    topics: frozenset[str]
    language: str
    sent: int


@dataclass
class Library:
    articles: dict[int, Candidate] = field(default_factory=dict)
    by_topic: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls) -> Library:
        counts = dict(
            ArticleMailing.objects.filter(article__isnull=False)
            .exclude(status=MailingStatus.SKIPPED)
            .values_list("article_id")
            .annotate(n=Count("id"))
            .values_list("article_id", "n")
        )
        library = cls()
        rows = Article.objects.filter(active=True).values_list("id", "title", "topics", "language")
        for pk, title, topics, language in rows:
            candidate = Candidate(
                pk,
                title,
                frozenset(split_topics(topics)),
                main_language(language),
                counts.get(pk, 0),
            )
            library.articles[pk] = candidate
            for topic in candidate.topics:
                library.by_topic[topic].append(pk)
        return library

    def ranked(
        self, topics: Iterable[str], had: set[int], language: str = ""
    ) -> list[tuple[Candidate, list[str]]]:
        """Every article the customer may get, best first, with the topics it shares."""
        language = main_language(language)
        wanted = set(topics)
        ranking = []
        for candidate in self.articles.values():
            if candidate.id in had:
                continue
            if language and candidate.language and candidate.language != language:
                continue
            shared = sorted(wanted & candidate.topics)
            ranking.append(((-len(shared), candidate.sent, candidate.id), candidate, shared))
        ranking.sort(key=lambda item: item[0])
        return [(candidate, shared) for _, candidate, shared in ranking]

    def best(self, topics: set[str], had: set[int], language: str = "") -> Candidate | None:
        """The first of ``ranked`` without sorting the whole library: the articles sharing a topic
        first, else the least sent one."""
        language = main_language(language)

        def allowed(candidate: Candidate) -> bool:
            return candidate.id not in had and not (
                language and candidate.language and candidate.language != language
            )

        overlap: dict[int, int] = defaultdict(int)
        for topic in topics:
            for pk in self.by_topic.get(topic, ()):
                overlap[pk] += 1
        sharing = [self.articles[pk] for pk in overlap if allowed(self.articles[pk])]
        if sharing:
            return min(sharing, key=lambda c: (-overlap[c.id], c.sent, c.id))
        rest = [c for c in self.articles.values() if allowed(c)]
        return min(rest, key=lambda c: (c.sent, c.id)) if rest else None


def had_articles(customer_ids: list[int]) -> dict[int, set[int]]:
    """The articles each customer has had or is about to get (skipped ones do not count)."""
    had: dict[int, set[int]] = defaultdict(set)
    rows = (
        ArticleMailing.objects.filter(customer_id__in=customer_ids, article__isnull=False)
        .exclude(status=MailingStatus.SKIPPED)
        .values_list("customer_id", "article_id")
    )
    for customer_id, article_id in rows:
        had[customer_id].add(article_id)
    return had


def match_mailings(
    mailings: QuerySet[ArticleMailing], now: dt.datetime, library: Library | None = None
) -> int:
    """Give each unmatched mailing its article; those with none left are skipped with the reason.
    Returns how many were matched."""
    rows = list(mailings.values_list("pk", "customer_id", "customer__language"))
    if not rows:
        return 0
    library = library or Library.load()
    matched = 0
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        ids = [customer_id for _, customer_id, _ in batch]
        topics, had = topics_for(ids), had_articles(ids)
        chosen: dict[int, list[int]] = defaultdict(list)
        none_left: list[int] = []
        for pk, customer_id, language in batch:
            best = library.best(topics.get(customer_id, set()), had[customer_id], language)
            if best is None:
                none_left.append(pk)
                continue
            best.sent += 1
            had[customer_id].add(best.id)
            chosen[best.id].append(pk)
        with transaction.atomic():
            for article_id, pks in chosen.items():
                matched += ArticleMailing.objects.filter(
                    pk__in=pks, article__isnull=True, status=MailingStatus.PLANNED
                ).update(article_id=article_id, updated_at=now)
            ArticleMailing.objects.filter(pk__in=none_left, status=MailingStatus.PLANNED).update(
                status=MailingStatus.SKIPPED, reason=NONE_LEFT, updated_at=now
            )
    return matched


def why(topics: set[str], article: Article) -> list[str]:
    """The topics the customer and the article share (the reason it was chosen)."""
    return sorted(topics & set(article.topic_list))
