"""The referral tree: whom a customer referred, whom they referred in turn, generations down.

Only customers the user may see are named. A referred customer outside the user's book is a
hidden branch: it and everyone below it are counted as "n more in other books" on the node above
and never named — not even visible customers further down, as their place in the tree would say
who stands between. The walk is bounded (``MAX_DEPTH`` generations, ``MAX_NODES`` referrals) and
costs one query per generation plus one for the named rows; a referral loop (A sent B, B sent A)
is walked once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet

from extramile.book.models import Customer, Referral, RewardStatus

MAX_DEPTH = 10
MAX_NODES = 1000


@dataclass
class Node:
    customer: Customer
    referral: Referral | None  # how this customer came in (None at the root)
    generation: int  # 0 at the root, 1 for the people the root referred, …
    children: list[Node] = field(default_factory=list)
    hidden: int = 0  # referrals below this node in other books, counted, never named


@dataclass
class Tree:
    root: Node
    referred_by: Referral | None  # who referred the root, when visible
    referred_by_hidden: bool  # referred by someone in another book
    named: int  # referrals shown
    hidden: int  # referrals in other books, counted only
    generations: int  # deepest named generation (0: none shown)
    owed: int
    owed_sum: Decimal
    paid: int
    paid_sum: Decimal
    truncated: bool  # stopped at MAX_DEPTH / MAX_NODES

    def nodes(self) -> list[Node]:
        """Depth first, for a flat, indented list on the page."""
        found: list[Node] = []
        stack = [self.root]
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(reversed(node.children))
        return found


def referral_tree(root: Customer, visible: QuerySet[Customer]) -> Tree:
    """The tree below ``root`` (which the caller has checked is in ``visible``)."""
    seen = {root.pk}
    frontier = [root.pk]
    anchor: dict[int, int] = {root.pk: root.pk}  # customer -> the named node their count goes to
    named_ids: list[int] = []
    hidden_at: dict[int, int] = {}
    hidden_total = 0
    depth = 0
    truncated = False
    shown = Exists(visible.filter(pk=OuterRef("referred_id")))
    while frontier:
        if depth >= MAX_DEPTH or len(seen) > MAX_NODES:
            truncated = True
            break
        rows = (
            Referral.objects.filter(referrer_id__in=frontier)
            .order_by("date", "id")
            .annotate(shown=shown)
            .values_list("pk", "referrer_id", "referred_id", "shown")
        )
        frontier = []
        for pk, referrer_id, referred_id, is_shown in rows:
            if referred_id in seen:
                continue
            seen.add(referred_id)
            frontier.append(referred_id)
            parent_named = anchor[referrer_id] == referrer_id
            if is_shown and parent_named:
                anchor[referred_id] = referred_id
                named_ids.append(pk)
            else:
                anchor[referred_id] = anchor[referrer_id]
                hidden_at[anchor[referrer_id]] = hidden_at.get(anchor[referrer_id], 0) + 1
                hidden_total += 1
        depth += 1 if frontier else 0

    referrals = Referral.objects.filter(pk__in=named_ids).select_related("referred")
    by_pk = {r.pk: r for r in referrals}
    nodes = {root.pk: Node(root, None, 0, hidden=hidden_at.get(root.pk, 0))}
    owed = paid = 0
    owed_sum = paid_sum = Decimal("0")
    generations = 0
    for pk in named_ids:  # in walk order: a referrer's node exists before its referrals'
        referral = by_pk[pk]
        parent = nodes[referral.referrer_id]
        node = Node(
            referral.referred,
            referral,
            parent.generation + 1,
            hidden=hidden_at.get(referral.referred_id, 0),
        )
        nodes[referral.referred_id] = node
        parent.children.append(node)
        generations = max(generations, node.generation)
        if referral.reward_status == RewardStatus.OWED:
            owed += 1
            owed_sum += referral.reward_amount or 0
        elif referral.reward_status == RewardStatus.PAID:
            paid += 1
            paid_sum += referral.reward_amount or 0

    came_from = Referral.objects.filter(referred=root).select_related("referrer").first()
    referred_by = (
        came_from if came_from and visible.filter(pk=came_from.referrer_id).exists() else None
    )
    return Tree(
        root=nodes[root.pk],
        referred_by=referred_by,
        referred_by_hidden=came_from is not None and referred_by is None,
        named=len(named_ids),
        hidden=hidden_total,
        generations=generations,
        owed=owed,
        owed_sum=owed_sum,
        paid=paid,
        paid_sum=paid_sum,
        truncated=truncated,
    )
