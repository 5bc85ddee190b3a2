"""The download buttons, the customer page's export and erase, the audit page, and the commands."""

from __future__ import annotations

import csv
import io
import json

import pytest
import vobject
from django.core.management import CommandError, call_command
from django.urls import reverse

from extramile.book.models import Customer
from extramile.exports.models import AuditRecord
from tests.conftest import login, make_customer
from tests.exports.helpers import EMAIL, fill

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


# --- Web ---------------------------------------------------------------------------------------


def test_customer_list_offers_the_downloads(client, owner, customer):
    page = login(client, owner).get(reverse("customers")).content.decode()
    for fmt in ("csv", "vcard", "json"):
        assert reverse("export-book", args=[fmt]) in page
    assert f'href="{reverse("import")}"' in page  # and the way in


def test_settings_lead_to_the_calendar_link_and_the_mailbox(client, owner):
    page = login(client, owner).get(reverse("settings")).content.decode()
    assert reverse("calendar-settings") in page
    assert reverse("mailbox") in page


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"),
    [
        ("csv", "text/csv", "csv"),
        ("vcard", "text/vcard", "vcf"),
        ("json", "application/json", "json"),
    ],
)
def test_book_downloads_hold_only_the_users_customers(
    client, owner, customer, outsider_customer, fmt, content_type, extension
):
    response = login(client, owner).get(reverse("export-book", args=[fmt]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith(f'.{extension}"')
    text = body(response)
    assert "Anna" in text and "Xena" not in text
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
        assert [r["First Name"] for r in rows] == ["Anna"]
    elif fmt == "vcard":
        assert [c.fn.value for c in vobject.readComponents(text)] == ["Anna Smith"]
    else:
        assert [c["first_name"] for c in json.loads(text)["customers"]] == ["Anna"]
    record = AuditRecord.objects.get()
    assert (record.action, record.what, record.user, record.via) == (
        "export",
        f"book as {fmt}",
        owner,
        "web",
    )
    assert record.counts == {"customers": 1}


def test_unknown_format_and_anonymous_downloads(client, owner):
    assert client.get(reverse("export-book", args=["csv"])).status_code == 302  # to the login
    assert login(client, owner).get(reverse("export-book", args=["xlsx"])).status_code == 404


def test_customer_page_exports_one_customer(client, owner, now):
    anna = make_customer(owner, "Anna", "Smith")
    fill(anna, make_customer(owner, "Ben", "Smith"), now)
    login(client, owner)
    page = client.get(reverse("customer", args=[anna.pk])).content.decode()
    assert reverse("customer-export", args=[anna.pk]) in page
    assert reverse("customer-erase", args=[anna.pk]) not in page  # a rep does not erase
    response = client.get(reverse("customer-export", args=[anna.pk]))
    assert response["Content-Disposition"] == (
        f'attachment; filename="extramile-customer-{anna.pk}.json"'
    )
    document = json.loads(response.content)
    assert document["customer"]["emails"][0]["address"] == EMAIL
    record = AuditRecord.objects.get()
    assert record.customer_id == anna.pk and record.counts["emails"] == 2


def test_another_reps_customer_cannot_be_exported_or_erased(
    client, owner, manager, outsider_customer
):
    login(client, owner)
    assert client.get(reverse("customer-export", args=[outsider_customer.pk])).status_code == 404
    client.logout()
    login(client, manager)
    assert client.get(reverse("customer-erase", args=[outsider_customer.pk])).status_code == 404
    assert (
        client.post(
            reverse("customer-erase", args=[outsider_customer.pk]), {"name": "Xena Outis"}
        ).status_code
        == 404
    )
    assert Customer.objects.filter(pk=outsider_customer.pk).exists()


def test_a_rep_is_refused_the_erase_page(client, owner, customer):
    login(client, owner)
    assert client.get(reverse("customer-erase", args=[customer.pk])).status_code == 403
    assert (
        client.post(
            reverse("customer-erase", args=[customer.pk]), {"name": "Anna Smith"}
        ).status_code
        == 403
    )
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_manager_erases_after_typing_the_name(client, owner, manager, now):
    anna = make_customer(owner, "Anna", "Smith")
    fill(anna, make_customer(owner, "Ben", "Smith"), now)
    login(client, manager)
    assert (
        reverse("customer-erase", args=[anna.pk])
        in client.get(reverse("customer", args=[anna.pk])).content.decode()
    )
    page = client.get(reverse("customer-erase", args=[anna.pk])).content.decode()
    assert "e-mail addresses" in page and "Type the customer" in page
    assert "Fixed the brakes" in page or "story" in page.lower()

    wrong = client.post(
        reverse("customer-erase", args=[anna.pk]), {"name": "Ann Smith"}, follow=True
    )
    assert "does not match" in wrong.content.decode()
    assert Customer.objects.filter(pk=anna.pk).exists()

    done = client.post(
        reverse("customer-erase", args=[anna.pk]), {"name": "Anna Smith"}, follow=True
    )
    assert done.redirect_chain[-1][0] == reverse("customers")
    assert f"Customer {anna.pk} is erased" in done.content.decode()
    assert not Customer.objects.filter(pk=anna.pk).exists()
    assert client.get(reverse("customer-erase", args=[anna.pk])).status_code == 404


def test_audit_page_is_for_admins(client, owner, admin_user, customer):
    login(client, owner)
    client.get(reverse("customer-export", args=[customer.pk]))
    assert client.get(reverse("export-audit")).status_code == 403
    client.logout()
    login(client, admin_user)
    page = client.get(reverse("export-audit")).content.decode()
    assert "olivia" in page and f"#{customer.pk}" in page and "Export of customer" in page
    settings_page = client.get(reverse("settings")).content.decode()
    assert reverse("export-audit") in settings_page


def test_audit_page_shows_utc_as_its_heading_says(client, admin_user, now):
    """The admin's own zone is New York (UTC−5 in November): the column says UTC and shows UTC."""
    admin_user.time_zone = "America/New_York"
    admin_user.save()
    AuditRecord.objects.create(
        at=now, user=admin_user, username="ada", action="export", what="the book", via="web"
    )
    login(client, admin_user)
    page = client.get(reverse("export-audit")).content.decode()
    assert "When (UTC)" in page
    assert f"{now:%Y-%m-%d %H:%M}" in page  # 2026-11-23 14:30
    local = now.astimezone(admin_user.zone())
    assert f"{local:%Y-%m-%d %H:%M}" not in page  # 09:30 in New York


# --- Commands ----------------------------------------------------------------------------------


def test_export_command_writes_a_file(tmp_path, owner, customer, outsider_customer, capsys):
    target = tmp_path / "book.vcf"
    call_command("export", format="vcard", user=owner.username, output=str(target))
    cards = list(vobject.readComponents(target.read_text(encoding="utf-8")))
    assert [c.fn.value for c in cards] == ["Anna Smith"]
    assert "Wrote 1 customer to" in capsys.readouterr().err
    assert AuditRecord.objects.get().via == "cli"
    assert [p.name for p in tmp_path.iterdir()] == ["book.vcf"]  # no temporary file left


def test_export_command_to_standard_output(owner, customer, capsys):
    call_command("export", format="json", user=owner.username)
    assert json.loads(capsys.readouterr().out)["customers"][0]["first_name"] == "Anna"
    call_command("export", user=owner.username, customer=str(customer.pk))
    assert json.loads(capsys.readouterr().out)["customer"]["id"] == customer.pk


def test_export_command_refuses_bad_input(tmp_path, owner, customer, outsider_customer):
    with pytest.raises(CommandError, match="not a format"):
        call_command("export", format="xlsx", user=owner.username)
    with pytest.raises(CommandError, match="no user"):
        call_command("export", user="nobody")
    with pytest.raises(CommandError, match="no customer"):
        call_command("export", user=owner.username, customer=str(outsider_customer.pk))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("export", user=owner.username, output=str(tmp_path / "missing" / "x.csv"))
    assert not AuditRecord.objects.exists()


def test_erase_command(owner, manager, customer, capsys):
    with pytest.raises(CommandError, match="--yes"):
        call_command("erase", str(customer.pk), user=manager.username)  # no terminal under pytest
    call_command("erase", str(customer.pk), user=manager.username, yes=True)
    out = capsys.readouterr().out
    assert f"Erased customer {customer.pk}" in out and "customers" in out
    assert not Customer.objects.filter(pk=customer.pk).exists()
    with pytest.raises(CommandError, match="already erased"):
        call_command("erase", str(customer.pk), user=manager.username, yes=True)
    with pytest.raises(CommandError, match="not a customer id"):
        call_command("erase", "abc", user=manager.username, yes=True)


def test_erase_command_refuses_a_rep(owner, customer):
    with pytest.raises(CommandError, match="Only a manager or an admin"):
        call_command("erase", str(customer.pk), user=owner.username, yes=True)
    assert Customer.objects.filter(pk=customer.pk).exists()
