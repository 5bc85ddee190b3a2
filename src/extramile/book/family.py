"""Families across generations, read from the Relationship graph.

Relationships are stored once per pair (parent links always point from parent to child), and read
from both sides here. ``relatives`` walks the family links (parent, child, spouse, sibling) a few
steps out, so a family served for three generations shows as grandparents, parents and children.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from extramile.book.models import Customer, Relationship, RelationshipKind

MAX_STEPS = 3
MAX_PEOPLE = 200

GENERATION_STEP = {"parent": -1, "child": 1, "spouse": 0, "sibling": 0, "colleague": 0, "other": 0}
FAMILY = {"parent", "child", "spouse", "sibling"}

LABELS = {
    ("parent",): "parent",
    ("child",): "child",
    ("spouse",): "spouse / partner",
    ("sibling",): "sibling",
    ("colleague",): "colleague",
    ("other",): "other",
    ("parent", "parent"): "grandparent",
    ("child", "child"): "grandchild",
    ("parent", "parent", "parent"): "great-grandparent",
    ("child", "child", "child"): "great-grandchild",
    ("child", "spouse"): "child's spouse",
    ("spouse", "parent"): "parent-in-law",
    ("spouse", "child"): "stepchild",
    ("parent", "spouse"): "parent's spouse",
    ("sibling", "child"): "niece or nephew",
    ("parent", "sibling"): "aunt or uncle",
    ("sibling", "spouse"): "sibling's spouse",
    ("parent", "child"): "sibling",
    ("parent", "parent", "spouse"): "grandparent",
    ("child", "child", "spouse"): "grandchild's spouse",
}


@dataclass(frozen=True)
class Relative:
    customer: Customer
    label: str
    generation: int  # 0 = same generation, -1 parents, -2 grandparents, +1 children, …


def label_for(path: tuple[str, ...]) -> str:
    """“grandparent”, “child's spouse”; unknown paths are read out from their longest known start."""
    for cut in range(len(path), 0, -1):
        if path[:cut] in LABELS:
            return "'s ".join([LABELS[path[:cut]], *path[cut:]])
    return "'s ".join(path)


def links(ids: Iterable[int]) -> list[tuple[int, int, str]]:
    """(person, other, kind-as-seen-from-person) for every relationship touching ``ids``."""
    ids = list(ids)
    rows = Relationship.objects.filter(Q(from_customer_id__in=ids) | Q(to_customer_id__in=ids))
    found = []
    for from_id, to_id, kind in rows.values_list("from_customer_id", "to_customer_id", "kind"):
        if from_id in ids:
            # from is the <kind> of to, so seen from `from`, `to` is the inverse.
            found.append((from_id, to_id, Relationship.inverse(kind)))
        if to_id in ids:
            found.append((to_id, from_id, kind))
    return found


def relatives(customer: Customer, within: QuerySet[Customer] | None = None) -> list[Relative]:
    """Everyone linked to ``customer`` by family within a few steps, plus direct colleagues.

    ``within`` (for example ``Customer.objects.visible_to(user)``) limits who is shown and walked through.
    Sorted by generation (oldest first), then name.
    """
    paths: dict[int, tuple[str, ...]] = {customer.pk: ()}
    generations: dict[int, int] = {customer.pk: 0}
    frontier = [customer.pk]
    for _ in range(MAX_STEPS):
        next_frontier = []
        for person, other, kind in links(frontier):
            if other in paths or len(paths) > MAX_PEOPLE:
                continue
            path = (*paths[person], kind)
            if len(path) > 1 and kind not in FAMILY:
                continue  # a colleague's relatives are not family
            paths[other] = path
            generations[other] = generations[person] + GENERATION_STEP[kind]
            if kind in FAMILY:
                next_frontier.append(other)
        frontier = next_frontier
        if not frontier:
            break
    paths.pop(customer.pk)
    people = Customer.objects.filter(pk__in=paths)
    if within is not None:
        people = people.filter(pk__in=within.values("pk"))
    found = [Relative(c, label_for(paths[c.pk]), generations[c.pk]) for c in people]
    return sorted(found, key=lambda r: (r.generation, r.customer.last_name, r.customer.first_name))


def generation_span(found: list[Relative]) -> int:
    """How many generations these relatives and the customer (generation 0) cover; colleagues
    are not family."""
    gens = {0, *(r.generation for r in found if r.label != "colleague")}
    return max(gens) - min(gens) + 1


def generation_count(customer: Customer) -> int:
    """How many generations of this family are in the book (1 when no family is linked)."""
    return generation_span(relatives(customer))


KINDS = RelationshipKind
