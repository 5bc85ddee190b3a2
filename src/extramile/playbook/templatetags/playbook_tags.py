"""``{% customer_opportunities customer user as opportunities %}``: a customer's opportunities
that ``user`` may see, for the customer page (one query)."""

from __future__ import annotations

from django import template
from django.db.models import QuerySet

from extramile.accounts.models import User
from extramile.book.models import Customer
from extramile.playbook.models import Opportunity

register = template.Library()


@register.simple_tag
def customer_opportunities(customer: Customer, user: User) -> QuerySet[Opportunity]:
    return (
        Opportunity.objects.visible_to(user).filter(customer=customer).order_by("-created_at")[:20]
    )
