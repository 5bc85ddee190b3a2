"""The mailing plan: the spread, stability, channels, holding back and matching."""

import datetime as dt
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extramile.accounts.models import Company, User
from extramile.articles.matching import NONE_LEFT
from extramile.articles.models import ArticleMailing, MailingStatus
from extramile.articles.planning import NO_CHANNEL, period_of, plan_mailings, slot_day
from extramile.book.models import Customer, EmailAddress, Fact, Promise
from extramile.book.services import mark_promise_met
from tests.articles.helpers import article, interested, mailed
from tests.conftest import NOW, make_customer, make_user

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


def plan_week(day: dt.date = MONDAY) -> int:
    return plan_mailings(day, day + dt.timedelta(days=6), NOW, today=day)


def test_periods_are_aligned_months():
    assert period_of(MONDAY, 6) == (dt.date(2026, 7, 1), dt.date(2026, 12, 31))
    assert period_of(dt.date(2027, 1, 1), 6) == (dt.date(2027, 1, 1), dt.date(2027, 6, 30))
    assert period_of(MONDAY, 1) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    owners_of=st.lists(st.integers(0, 2), min_size=1, max_size=260),
    months=st.integers(1, 12),
    start=st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)),
)
def test_a_reps_daily_load_is_never_above_the_even_share_plus_one(
    company, team, owners_of, months, start
):
    """Customers of three reps, added in any interleaving: over a whole period each rep's
    mailings per working day never exceed their even share plus one, and a re-plan moves none."""
    ArticleMailing.objects.all().delete()
    Customer.objects.all().delete()
    User.objects.filter(username__startswith="rep").delete()
    Company.objects.filter(pk=company.pk).update(article_every_months=months)
    reps = [make_user(f"rep{i}", team=team) for i in range(3)]
    Customer.objects.bulk_create(
        Customer(owner=reps[i], first_name=f"C{n}") for n, i in enumerate(owners_of)
    )
    first, last = period_of(start, months)
    plan_mailings(first, last, NOW, today=first)
    rows = list(ArticleMailing.objects.values_list("owner_id", "planned_on", "customer_id"))
    assert len(rows) == len(owners_of)
    working = {day for _, day, _ in rows}
    per_day = Counter((owner, day) for owner, day, _ in rows)
    sizes = Counter(owners_of)
    from extramile.articles.planning import working_days
    from extramile.business_hours import for_company

    days = working_days(first, last, for_company(Company.get()))
    assert working <= set(days)
    for (owner_id, _), load in per_day.items():
        book = sizes[[r.pk for r in reps].index(owner_id)]
        assert load <= book // len(days) + 1
    before = {customer: day for _, day, customer in rows}
    assert plan_mailings(first, last, NOW, today=first) == 0
    after = dict(ArticleMailing.objects.values_list("customer_id", "planned_on"))
    assert after == before
    for customer in Customer.objects.all()[:5]:
        assert slot_day(customer, first) == before[customer.pk]


def test_the_week_ahead_is_planned_once_and_matched(owner):
    customers = [make_customer(owner, f"C{n}", "Lee") for n in range(300)]
    article("Anything")
    created = plan_week()
    assert created == ArticleMailing.objects.count() > 0
    assert plan_week() == 0
    days = set(ArticleMailing.objects.values_list("planned_on", flat=True))
    assert min(days) >= MONDAY and max(days) <= MONDAY + dt.timedelta(days=6)
    assert dt.date(2026, 11, 26) not in days  # Thanksgiving: not a working day
    # 300 customers over the period's working days: 2 or 3 a day.
    assert set(Counter(ArticleMailing.objects.values_list("planned_on", flat=True)).values()) <= {
        2,
        3,
    }
    assert not ArticleMailing.objects.filter(article__isnull=True, status="planned").exists()
    assert len(customers) == 300


def one_mailing(customer) -> ArticleMailing:
    day = slot_day(customer, MONDAY)
    plan_mailings(day, day, NOW, today=min(day, MONDAY))
    return ArticleMailing.objects.get(
        customer=customer, planned_on__gte=MONDAY - dt.timedelta(days=200)
    )


def test_the_best_match_by_topics(customer):
    article("Cars", "cars")
    article("Boats and fishing", "sailing, fishing")
    article("Fishing", "fishing")
    interested(customer, "fishing", "sailing")
    mailing = one_mailing(customer)
    assert mailing.article.title == "Boats and fishing"


def test_facts_about_hobbies_and_work_are_interests(customer):
    Fact.objects.create(customer=customer, text="Runs a bakery", category="work", tags="Baking")
    Fact.objects.create(customer=customer, text="Has a cat", category="family", tags="cars")
    article("Cars", "cars")
    article("Bread", "baking")
    assert one_mailing(customer).article.title == "Bread"


def test_a_tie_goes_to_the_least_sent_article(owner, customer):
    busy, quiet = article("Busy", "golf"), article("Quiet", "golf")
    other = make_customer(owner, "Bo", "Ng")
    mailed(other, busy, dt.date(2026, 1, 5))
    interested(customer, "golf")
    assert one_mailing(customer).article == quiet


def test_never_the_same_article_twice_and_none_left(customer):
    only = article("Only", "golf")
    interested(customer, "golf")
    mailed(customer, only, dt.date(2026, 1, 5))
    mailing = one_mailing(customer)
    assert mailing.status == MailingStatus.SKIPPED
    assert mailing.reason == NONE_LEFT
    assert mailing.article is None


def test_no_topic_match_gets_the_least_sent_article_not_had(owner, customer):
    a, b = article("A", "golf"), article("B", "tennis")
    mailed(make_customer(owner, "X", "Y"), a, dt.date(2026, 1, 5))
    interested(customer, "chess")
    assert one_mailing(customer).article == b


def test_post_for_do_not_email_and_skipped_when_no_post_either(owner):
    article("A")
    emailed = make_customer(owner, "E", "Mail")
    EmailAddress.objects.create(customer=emailed, address="e@example.com")
    refuses = make_customer(owner, "R", "Post", do_not_email=True)
    EmailAddress.objects.create(customer=refuses, address="r@example.com")
    silent = make_customer(owner, "S", "Ilent", do_not_email=True, do_not_mail=True)
    assert one_mailing(emailed).channel == "email"
    assert one_mailing(refuses).channel == "post"
    skipped = one_mailing(silent)
    assert (skipped.status, skipped.reason) == ("skipped", NO_CHANNEL)


def test_held_back_while_a_promise_is_overdue_and_planned_again_when_met(owner, customer):
    article("A")
    promise = Promise.objects.create(
        customer=customer, description="Send the brochure", due_on=dt.date(2026, 6, 1)
    )
    mailing = one_mailing(customer)
    assert mailing.status == MailingStatus.HELD_BACK
    assert "Send the brochure" in mailing.reason
    mark_promise_met(promise, NOW)
    later = MONDAY + dt.timedelta(days=30)
    plan_mailings(later, later, NOW, today=later)
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.PLANNED
    assert mailing.planned_on == later
    assert mailing.reason == ""
