"""The customer list's filters, declared once for the Customers page and ``GET /api/customers``
(django-filter; see ``service/filters.py`` for the pattern).

The queryset given is already ``Customer.objects.visible_to(user)``; an owner named by username
or e-mail is looked up among the users the viewer sees, so a name from another team finds
nothing. Invalid values are left out (the API's schema refuses them before they get here).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from extramile.accounts.models import User
from extramile.book import services
from extramile.book.models import Customer, Status, Tier


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    tier = django_filters.ChoiceFilter(choices=Tier.choices)
    owner = django_filters.CharFilter(method="filter_owner_name")
    owner_id = django_filters.NumberFilter(field_name="owner_id")
    household = django_filters.NumberFilter(field_name="household_id")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    birth_month = django_filters.NumberFilter(field_name="birth_month")

    class Meta:
        model = Customer
        fields: list[str] = []

    def __init__(self, *args: Any, viewer: User, country: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.country = country

    def filter_search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """A name, an e-mail address or a phone number in any format (``services``)."""
        return services.search_customers(queryset, value[:100], self.country)

    def filter_owner_name(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        text = value.strip()
        users = User.objects.visible_to(self.viewer).active()
        owner = users.filter(username=text).first() or users.filter(email__iexact=text).first()
        return queryset.filter(owner=owner) if owner is not None else queryset.none()


def filtered(
    queryset: QuerySet[Customer], viewer: User, country: str = "", **values: Any
) -> QuerySet[Customer]:
    """``queryset`` narrowed by the filters given (None or "" means "not asked")."""
    data = {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in values.items()
        if value is not None and value != ""
    }
    return CustomerFilter(data, queryset=queryset, viewer=viewer, country=country).qs
