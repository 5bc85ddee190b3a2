"""The referral tree: generations down, reward status on each referral, and another book's branch
counted as "n more in other books", never named."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from extramile.book.models import Customer
from extramile.insights.tree import referral_tree
from tests.conftest import PASSWORD, make_customer
from tests.insights.helpers import refer

DAY = dt.date(2026, 6, 1)


def build(owner, colleague, outsider):
    root = make_customer(owner, "Rita", "Root")
    kid1 = make_customer(owner, "Kim", "One")
    kid2 = make_customer(colleague, "Kai", "Two")
    grandkid = make_customer(owner, "Gus", "Three")
    hidden = make_customer(outsider, "Hidden", "Person")
    under_hidden = make_customer(outsider, "Deeper", "Secret")
    visible_under_hidden = make_customer(owner, "Visible", "Below")
    refer(root, kid1, DAY, "owed", "50")
    refer(root, kid2, DAY, "paid", "40")
    refer(kid1, grandkid, DAY, "pending", "20")
    refer(kid1, hidden, DAY)
    refer(hidden, under_hidden, DAY)
    refer(under_hidden, visible_under_hidden, DAY)
    refer(grandkid, root, DAY)  # a loop is walked once
    return root


def test_generations_down_with_rewards_and_a_hidden_branch(owner, colleague, outsider):
    root = build(owner, colleague, outsider)
    tree = referral_tree(root, Customer.objects.visible_to(owner))
    names = [(n.generation, n.customer.first_name, n.hidden) for n in tree.nodes()]
    assert names == [(0, "Rita", 1), (1, "Kim", 3), (2, "Gus", 0)]  # Kai is the colleague's
    assert (tree.named, tree.hidden, tree.generations) == (2, 4, 2)
    assert (tree.owed, tree.owed_sum, tree.paid) == (1, 50, 0)


def test_the_manager_sees_the_teams_branch(owner, colleague, outsider, manager):
    root = build(owner, colleague, outsider)
    tree = referral_tree(root, Customer.objects.visible_to(manager))
    assert [n.customer.first_name for n in tree.nodes()] == ["Rita", "Kim", "Gus", "Kai"]
    assert (tree.paid, tree.paid_sum, tree.hidden) == (1, 40, 3)


def test_the_page_never_names_another_books_customers(client, owner, colleague, outsider):
    root = build(owner, colleague, outsider)
    client.login(username=owner.username, password=PASSWORD)
    page = client.get(reverse("referral-tree", args=[root.pk])).content.decode()
    assert "Kim One" in page and "Gus Three" in page and "owed" in page
    assert "3 more in other books" in page and "1 more in other books" in page
    for secret in ("Hidden", "Deeper", "Visible Below", "Kai"):
        assert secret not in page
    hidden = Customer.objects.visible_to(outsider).get(first_name="Hidden")
    assert client.get(reverse("referral-tree", args=[hidden.pk])).status_code == 404


def test_the_customer_page_links_to_the_tree(client, owner, colleague, outsider):
    root = build(owner, colleague, outsider)
    client.login(username=owner.username, password=PASSWORD)
    page = client.get(reverse("customer", args=[root.pk])).content.decode()
    assert reverse("referral-tree", args=[root.pk]) in page
