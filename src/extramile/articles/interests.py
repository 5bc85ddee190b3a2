"""A customer's topics: what their rep knows they care about.

The rule (the one place for it): the tags of the customer's facts in the categories “Hobbies and
interests” and “Work” (their trade, their industry), plus the topics set by hand on the customer
(``CustomerTopic``). Tags are normalised like article topics (lower case, trimmed).

``topics_for(ids)`` answers for many customers in two queries (the planner asks it per batch);
``customer_topics(customer)`` is the same rule for one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from extramile.articles.models import CustomerTopic
from extramile.articles.topics import split_topics
from extramile.book.models import Customer, Fact, FactCategory

INTEREST_CATEGORIES = (FactCategory.HOBBY, FactCategory.WORK)
CHUNK = 5000


def topics_for(customer_ids: Iterable[int]) -> dict[int, set[str]]:
    """Each customer's topics (customers without any are left out)."""
    ids = list(customer_ids)
    topics: dict[int, set[str]] = defaultdict(set)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        facts = Fact.objects.filter(
            customer_id__in=chunk, category__in=INTEREST_CATEGORIES
        ).exclude(tags="")
        for customer_id, tags in facts.values_list("customer_id", "tags"):
            topics[customer_id].update(split_topics(tags))
        chosen = CustomerTopic.objects.filter(customer_id__in=chunk)
        for customer_id, topic in chosen.values_list("customer_id", "topic"):
            topics[customer_id].add(topic)
    return dict(topics)


def customer_topics(customer: Customer) -> list[str]:
    return sorted(topics_for([customer.pk]).get(customer.pk, set()))


def set_topics(customer: Customer, raw: str) -> list[str]:
    """Replace the customer's hand-set topics with those in ``raw`` (comma-separated)."""
    wanted = split_topics(raw)
    CustomerTopic.objects.filter(customer=customer).exclude(topic__in=wanted).delete()
    have = set(CustomerTopic.objects.filter(customer=customer).values_list("topic", flat=True))
    CustomerTopic.objects.bulk_create(
        [CustomerTopic(customer=customer, topic=t) for t in wanted if t not in have]
    )
    return wanted
