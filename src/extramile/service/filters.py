"""The service-request list's filters, declared once for the Service page and ``GET
/api/service-requests`` (django-filter).

Each edge reads its own parameters (the page a form, the API a strict schema) and hands the
values here; what a filter means lives in this one class. A value that is not valid (an unknown
status typed into the address bar) is left out, as the page always did; the API's schema refuses
it before it gets here. Filtering never widens what the caller sees: the queryset given is already
``ServiceRequest.objects.visible_to(user)``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from extramile.service.models import OPEN_STATUSES, Priority, ServiceRequest, Status

# The search box looks at the first few words only.
MAX_WORDS = 5


class ServiceRequestFilter(django_filters.FilterSet):
    customer = django_filters.NumberFilter(field_name="customer_id")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    open = django_filters.BooleanFilter(method="filter_open")
    assignee = django_filters.CharFilter(method="filter_assignee_username")
    assignee_id = django_filters.NumberFilter(field_name="assignee_id")
    went_wrong = django_filters.BooleanFilter(field_name="went_wrong")
    q = django_filters.CharFilter(method="filter_words")

    class Meta:
        model = ServiceRequest
        fields: list[str] = []

    def filter_open(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
        """true: new, open or waiting; false: resolved."""
        if value:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.exclude(status__in=OPEN_STATUSES)

    def filter_assignee_username(
        self, queryset: QuerySet[Any], name: str, value: str
    ) -> QuerySet[Any]:
        value = value.strip()
        return queryset.filter(assignee__username=value) if value else queryset

    def filter_words(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Every word (up to five) in the subject or the customer's names."""
        words = Q()
        for word in value.strip()[:100].split()[:MAX_WORDS]:
            words &= (
                Q(subject__icontains=word)
                | Q(customer__first_name__icontains=word)
                | Q(customer__last_name__icontains=word)
                | Q(customer__company_name__icontains=word)
            )
        return queryset.filter(words)


def filtered(queryset: QuerySet[Any], **values: Any) -> QuerySet[Any]:
    """``queryset`` narrowed by the filters given (None or "" means "not asked")."""
    data = {
        key: ("true" if value is True else "false" if value is False else value)
        for key, value in values.items()
        if value is not None and value != ""
    }
    return ServiceRequestFilter(data, queryset=queryset).qs
