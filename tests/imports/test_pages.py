"""The Import page: upload → columns → preview → confirm, once; limits and whose book."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from extramile.book.models import Customer, EmailAddress
from extramile.imports.models import ColumnMapping, Upload, UploadStatus
from tests.conftest import login, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def upload(client, name: str, content: str, **extra):
    file = SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("import"), {"file": file, **extra})


def test_upload_preview_confirm_and_no_double_import(client, owner):
    anna = make_customer(owner, "Anna", "Smith")
    EmailAddress.objects.create(customer=anna, address="anna@example.com")
    login(client, owner)
    page = client.get(reverse("import"))
    assert page.status_code == 200 and b"Import customers" in page.content
    assert b'href="/customers/import/"' in page.content  # in the navigation
    text = (
        "first_name,last_name,email,company,birthday\n"
        "Anna,Smyth,anna@example.com,Harbour Sailing,\n"
        "Bob,Jones,bob@example.com,,1975-02-30\n"
        "Cara,Diaz,cara@example.com,,\n"
    )
    response = upload(client, "people.csv", text)
    record = Upload.objects.get()
    assert response.url == reverse("import-preview", args=[record.pk])
    preview = client.get(response.url).content.decode()
    assert re.search(r'id="count-new">1<', preview)
    assert re.search(r'id="count-merged">1<', preview)
    assert re.search(r'id="count-invalid">1<', preview)
    assert "Row 3" in preview and "February 1975 has no day 30." in preview
    assert "company filled in: Harbour Sailing" in preview
    assert "last name: kept “Smith”, the file has “Smyth”" in preview
    assert Customer.objects.count() == 1  # the preview wrote nothing

    # Without "import the others", a file with problems is not imported at all.
    client.post(reverse("import-confirm", args=[record.pk]))
    assert Customer.objects.count() == 1
    record.refresh_from_db()
    assert record.status == UploadStatus.UPLOADED

    done = client.post(reverse("import-confirm", args=[record.pk]), {"skip_invalid": "on"})
    assert done.status_code == 302
    assert sorted(Customer.objects.values_list("last_name", flat=True)) == ["Diaz", "Smith"]
    record.refresh_from_db()
    assert record.status == UploadStatus.DONE and record.result["new"] == 1
    assert not Path(record.path).exists()  # the uploaded copy is deleted once imported
    result = client.get(reverse("import-preview", args=[record.pk])).content.decode()
    assert "Imported: people.csv" in result
    rejects = client.get(reverse("import-rejects", args=[record.pk]))
    assert b"Bob,Jones,bob@example.com" in b"".join(rejects.streaming_content)

    # A second submit of the same confirm (a double click, the back button) does nothing.
    again = client.post(reverse("import-confirm", args=[record.pk]), {"skip_invalid": "on"})
    assert again.status_code == 302
    assert Customer.objects.count() == 2


def test_the_confirm_imports_the_file_that_was_previewed(client, owner):
    login(client, owner)
    upload(client, "people.csv", "first_name,last_name\nAnna,Smith\n")
    record = Upload.objects.get()
    client.get(reverse("import-preview", args=[record.pk]))
    with open(record.path, "a", encoding="utf-8") as tampered:
        tampered.write("Mallory,Evil\n")
    client.post(reverse("import-confirm", args=[record.pk]))
    assert Customer.objects.count() == 0
    record.refresh_from_db()
    assert record.status == UploadStatus.UPLOADED


def test_mapping_step_saves_the_mapping_and_offers_it_again(client, owner):
    login(client, owner)
    text = "Rufname;Familie;Mail\nAnna;Smith;anna@example.com\n"
    response = upload(client, "liste.csv", text)
    record = Upload.objects.get()
    assert response.url == reverse("import-columns", args=[record.pk])
    page = client.get(response.url).content.decode()
    assert "Which column is what?" in page and "anna@example.com" in page
    # A mapping without a name column is refused with the reason.
    bad = client.post(response.url, {"column-0": "skip", "column-1": "skip", "column-2": "email"})
    assert bad.status_code == 400 and "every customer needs a name" in bad.content.decode()
    chosen = {"column-0": "first_name", "column-1": "last_name", "column-2": "email"}
    client.post(response.url, {**chosen, "save_as": "Fair list"})
    assert ColumnMapping.objects.get().name == "Fair list"
    client.post(reverse("import-confirm", args=[record.pk]))
    assert Customer.objects.get().emails.get().address == "anna@example.com"

    # The next file with the same columns goes straight to its preview, read with the mapping.
    response = upload(client, "liste2.csv", "Rufname;Familie;Mail\nBob;Jones;bob@example.com\n")
    second = Upload.objects.exclude(pk=record.pk).get()
    assert response.url == reverse("import-preview", args=[second.pk])
    assert "Fair list" in client.get(response.url).content.decode()


def test_size_limit_and_empty_files(client, owner, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    login(client, owner)
    response = upload(client, "big.csv", "first_name,last_name\n" + "Anna,Smith\n" * 20)
    assert response.status_code == 200
    assert "larger than 100 bytes" in response.content.decode()
    assert "extramile import FILE" in response.content.decode()
    assert Upload.objects.count() == 0
    settings.IMPORT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
    response = upload(client, "empty.csv", "")
    assert "The submitted file is empty." in response.content.decode()


def test_a_rep_imports_only_into_their_own_book(client, owner, colleague):
    login(client, owner)
    page = client.get(reverse("import")).content.decode()
    assert 'type="hidden" name="owner"' in page  # no choice to make
    response = upload(client, "a.csv", "first_name,last_name\nAnna,Smith\n", owner=colleague.pk)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Upload.objects.count() == 0


def test_a_manager_picks_a_book_they_can_see(client, manager, colleague, outsider):
    login(client, manager)
    page = client.get(reverse("import")).content.decode()
    assert "colin" in page.lower() and "oscar" not in page.lower()
    upload(client, "a.csv", "first_name,last_name\nAnna,Smith\n", owner=colleague.pk)
    record = Upload.objects.get()
    client.post(reverse("import-confirm", args=[record.pk]))
    assert Customer.objects.get().owner == colleague
    response = upload(client, "a.csv", "first_name,last_name\nAnna,Smith\n", owner=outsider.pk)
    assert "Select a valid choice" in response.content.decode()


def test_another_users_upload_is_not_found(client, owner, colleague):
    login(client, owner)
    upload(client, "a.csv", "first_name,last_name\nAnna,Smith\n")
    record = Upload.objects.get()
    client.logout()
    login(client, colleague)
    assert client.get(reverse("import-preview", args=[record.pk])).status_code == 404
    assert client.post(reverse("import-confirm", args=[record.pk])).status_code == 404
    assert Customer.objects.count() == 0


def test_uploads_are_forgotten_after_a_week_with_their_files(client, owner):
    import datetime as dt

    from django.utils import timezone

    from extramile.imports.cleanup import forget_old_uploads

    login(client, owner)
    upload(client, "people.csv", "first_name,last_name,email\nAnna,Smith,anna@example.com\n")
    record = Upload.objects.get()
    assert Path(record.path).exists()
    now = timezone.now()
    assert forget_old_uploads(now) == 0  # still being worked on
    assert forget_old_uploads(now + dt.timedelta(days=8)) == 1
    assert not Upload.objects.exists() and not Path(record.path).exists()
