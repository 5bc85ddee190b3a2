"""Erasure: everything about the person goes, in one transaction, with an audit record that does
not keep who they were."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from extramile.agenda.models import Action
from extramile.book.models import Customer, EmailAddress, Household, Relationship, Sale
from extramile.cards.models import Card
from extramile.culture.models import Story
from extramile.exports import erasure
from extramile.exports.models import AuditRecord
from extramile.inbox.models import InboundMessage
from extramile.outbox.models import OutboxMessage
from extramile.service.models import ServiceRequest
from tests.conftest import make_customer
from tests.exports.helpers import EMAIL, PHONE, WORK_EMAIL, fill

pytestmark = pytest.mark.django_db


def tables_containing(*needles: str) -> dict[str, int]:
    """Every table of the database, every row, searched as text: where do these strings occur?"""
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                text = " ".join(str(cell) for cell in row).lower()
                if any(n.lower() in text for n in needles):
                    found[table] = found.get(table, 0) + 1
    return found


@pytest.fixture
def anna(owner, now):
    anna = make_customer(owner, "Anna", "Smith", birth_month=4, birth_day=15)
    fill(anna, make_customer(owner, "Ben", "Smith"), now)
    ct = ContentType.objects.get_for_model(EmailAddress)
    email = EmailAddress.objects.get(address=EMAIL)
    # An admin changed the address in the admin site: its log repeats the address.
    LogEntry.objects.create(
        user=owner, content_type=ct, object_id=str(email.pk), object_repr=EMAIL, action_flag=CHANGE
    )
    return anna


def test_erasure_leaves_nothing_of_the_person(anna, manager, now):
    before = tables_containing(EMAIL, WORK_EMAIL, PHONE, "(415) 555-0123")
    assert {"book_emailaddress", "inbox_inboundmessage", "outbox_outboxmessage"} <= set(before)
    assert "django_admin_log" in before
    ben = Customer.objects.get(first_name="Ben")

    record = erasure.erase(manager, anna.pk, now, "web", confirm_name="  anna   SMITH ")

    assert tables_containing(EMAIL, WORK_EMAIL, PHONE, "(415) 555-0123") == {}
    assert not Customer.objects.filter(pk=anna.pk).exists()
    assert not Household.objects.filter(name="The Smith Family").exists()  # she was its only member
    assert not Relationship.objects.exists()
    assert not Sale.objects.exists()
    assert not ServiceRequest.objects.exists()
    assert not Card.objects.exists()
    assert not InboundMessage.objects.exists()
    assert not OutboxMessage.objects.filter(to_address=EMAIL).exists()
    assert not Action.objects.filter(title__contains="Anna").exists()
    assert not Action.objects.filter(key__startswith="reply:").exists()
    # The rep's story stays, unlinked.
    story = Story.objects.get()
    assert story.customer is None and story.what_done == "Fixed the brakes on a Sunday"
    # Ben, her son, stays.
    assert Customer.objects.filter(pk=ben.pk).exists()

    assert record.user == manager and record.username == "maya"
    assert record.action == "erase" and record.customer_id == anna.pk and record.via == "web"
    assert record.counts["book.Customer"] == 1
    assert record.counts["book.EmailAddress"] == 2
    assert record.counts["book.PhoneNumber"] == 2
    assert record.counts["inbox.InboundMessage"] == 2
    assert record.counts["outbox.OutboxMessage"] == 1
    assert record.counts["book.Household"] == 1
    assert record.counts["culture.Story (unlinked)"] == 1
    assert record.counts["admin.LogEntry"] == 1
    audit_text = str(AuditRecord.objects.filter(pk=record.pk).values().get())
    assert "Anna" not in audit_text and "Smith" not in audit_text and EMAIL not in audit_text


def test_household_with_other_members_stays(owner, manager, now):
    household = Household.objects.create(name="The Lee Family")
    one = make_customer(owner, "Amy", "Lee", household=household)
    make_customer(owner, "Bo", "Lee", household=household)
    erasure.erase(manager, one.pk, now, "cli")
    assert Household.objects.filter(pk=household.pk).exists()


def test_preview_counts_what_erase_removes_and_changes_nothing(anna, manager, now):
    counts = erasure.preview(manager, anna)
    assert Customer.objects.filter(pk=anna.pk).exists()
    assert EmailAddress.objects.filter(address=EMAIL).exists()
    assert not AuditRecord.objects.exists()
    record = erasure.erase(manager, anna.pk, now, "web")
    assert record.counts == counts


def test_a_wrong_name_erases_nothing(anna, manager, now):
    with pytest.raises(erasure.ErasureRefused, match="does not match"):
        erasure.erase(manager, anna.pk, now, "web", confirm_name="Anna Smyth")
    assert Customer.objects.filter(pk=anna.pk).exists()
    assert not AuditRecord.objects.exists()


def test_a_second_erasure_says_it_was_done(anna, manager, now):
    erasure.erase(manager, anna.pk, now, "web")
    with pytest.raises(
        erasure.ErasureRefused, match=f"Customer {anna.pk} was already erased .* by maya"
    ):
        erasure.erase(manager, anna.pk, now, "web")
    assert AuditRecord.objects.count() == 1


def test_reps_do_not_erase(owner, customer, now):
    with pytest.raises(erasure.ErasureRefused, match="Only a manager or an admin"):
        erasure.erase(owner, customer.pk, now, "web")
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_manager_erases_only_in_their_team(manager, outsider_customer, now):
    with pytest.raises(erasure.ErasureRefused, match=r"no customer .* that you can see"):
        erasure.erase(manager, outsider_customer.pk, now, "web")
    assert Customer.objects.filter(pk=outsider_customer.pk).exists()


def test_erasure_is_all_or_nothing(anna, manager, now, monkeypatch):
    """A failure half-way (here: writing the audit record) leaves everything as it was."""

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(erasure.audit, "record", broken)
    with pytest.raises(RuntimeError):
        erasure.erase(manager, anna.pk, now, "web")
    assert Customer.objects.filter(pk=anna.pk).exists()
    assert EmailAddress.objects.filter(customer=anna).count() == 2
    assert InboundMessage.objects.count() == 2
    assert Story.objects.get().customer_id == anna.pk


def test_every_link_to_a_customer_is_handled():
    """A new model pointing at customers needs a decision: it must cascade (deleted with them) or
    be in the erasure's list of records it deletes or unlinks by itself."""
    from django.apps import apps
    from django.db import models

    handled_by_erasure = {
        "inbox.InboundMessage",
        "outbox.OutboxMessage",
        "culture.Story",
        "ideas.IdeaUse",
    }
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.is_relation and not field.auto_created and field.related_model is Customer:
                label = model._meta.label
                if field.remote_field.on_delete is not models.CASCADE:
                    assert label in handled_by_erasure, f"{label}.{field.name} is not erased"


def test_mail_seen_from_their_address_goes_too(anna, manager, owner, now):
    """The mailbox sync keeps the address of mail it has seen; erasure removes those rows."""
    from django.apps import apps

    try:
        seen = apps.get_model("mailsync", "SeenMessage")
    except LookupError:
        pytest.skip("the mailbox sync is not installed")
    folder = seen._meta.get_field("folder").choices[0][0]
    outcome = seen._meta.get_field("outcome").choices[0][0]
    common = {"user": owner, "folder": folder, "dated": now, "outcome": outcome, "seen_at": now}
    seen.objects.create(key="a" * 64, address=EMAIL.upper(), subject="Bike", **common)
    seen.objects.create(key="b" * 64, address="someone@else.example", subject="Other", **common)
    record = erasure.erase(manager, anna.pk, now, "web")
    assert list(seen.objects.values_list("address", flat=True)) == ["someone@else.example"]
    assert record.counts["mailsync.SeenMessage"] == 1
