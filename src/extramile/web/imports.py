"""The Import page: upload → columns (when the headers are not recognised) → preview → confirm.

The file is kept under the data directory between the steps, with its SHA-256; the confirm
imports exactly that file, and only once: the upload's status moves from ``uploaded`` to
``importing`` in one conditional UPDATE, so a double submit finds nothing to claim. Files up to
``IMPORT_MAX_UPLOAD_BYTES`` (5 MB by default, about 50,000 rows) are processed in the request;
larger ones go through ``extramile import`` on the command line, which streams any size.
"""

from __future__ import annotations

import csv
import uuid
from itertools import islice
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import path
from django.views.decorators.http import require_POST

from extramile import clock
from extramile.accounts.models import User
from extramile.imports import columns, readers, services, uploads
from extramile.imports.models import Upload, UploadStatus
from extramile.web.today import current_user

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))


def megabytes(size: int) -> str:
    return str(filesizeformat(size)).replace("\xa0", " ")


def upload_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File", help_text="CSV (Google Contacts, Outlook, a spreadsheet) or vCard (.vcf)."
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Into the book of", required=False
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        owners = User.objects.visible_to(user).active().order_by("username")
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = owners
        field.initial = user.pk
        if owners.count() <= 1:
            field.widget = forms.HiddenInput()


def find_upload(request: HttpRequest, pk: int) -> Upload:
    return get_object_or_404(Upload.objects.select_related("owner"), pk=pk, user=request.user)


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = UploadForm(user=user)
    limit = max_bytes()
    if request.method == "POST":
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit + 64 * 1024:
            messages.error(request, too_big(limit))
            return redirect("import")
        form = UploadForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            file = form.cleaned_data["file"]
            owner = form.cleaned_data["owner"] or user
            if file.size > limit:
                form.add_error("file", too_big(limit))
            elif file.size == 0:
                form.add_error("file", "The file is empty.")
            else:
                return start(request, user, owner, file)
    recent = Upload.objects.filter(user=user).select_related("owner")[:10]
    return render(
        request,
        "imports/upload.html",
        {"form": form, "limit": megabytes(limit), "recent": recent},
    )


def too_big(limit: int) -> str:
    return (
        f"The file is larger than {megabytes(limit)}, the most the Import page reads. "
        "Import it with the command line instead: extramile import FILE (any size)."
    )


def start(request: HttpRequest, user: User, owner: User, file: UploadedFile) -> HttpResponse:
    try:
        services.check_owner(user, owner)
    except (PermissionDenied, ValidationError):
        raise PermissionDenied("You may not import into that book.") from None
    suffix = ".vcf" if str(file.name).lower().endswith((".vcf", ".vcard")) else ".csv"
    target = upload_dir() / f"{uuid.uuid4().hex}{suffix}"
    with target.open("wb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    record = Upload.objects.create(
        user=user,
        owner=owner,
        filename=Path(str(file.name)).name[:255],
        path=str(target),
        size=target.stat().st_size,
        sha256=services.file_digest(target),
        kind="vcard" if readers.is_vcard(target) else "csv",
        created_at=clock.now(),
    )
    try:
        services.open_source(target)
    except services.NeedsMapping:
        return redirect("import-columns", pk=record.pk)
    except ValidationError as error:
        uploads.fail(record, error)
        messages.error(request, f"{record.filename}: {' '.join(error.messages)}")
        return redirect("import")
    return redirect("import-preview", pk=record.pk)


def sample_rows(record: Upload, delimiter: str, count: int = 3) -> list[list[str]]:
    text, _, _ = readers.open_text(Path(record.path))
    with text:
        rows = (row for row in csv.reader(text, delimiter=delimiter) if any(c.strip() for c in row))
        return list(islice(rows, count + 1))[1:]


@login_required
def column_step(request: HttpRequest, pk: int) -> HttpResponse:
    record = find_upload(request, pk)
    if record.kind != "csv" or record.status != UploadStatus.UPLOADED:
        return redirect("import-preview", pk=record.pk)
    try:
        headers, delimiter = readers.read_header(Path(record.path))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("import")
    saved = services.saved_mapping_for(headers)
    chosen = record.columns or (saved.columns if saved else columns.suggest(headers))
    message = ""
    if request.method == "POST":
        chosen = {h: request.POST.get(f"column-{i}", "skip") for i, h in enumerate(headers)}
        name = request.POST.get("save_as", "").strip()
        try:
            columns.layout_from(chosen, headers, name)
            if name:
                services.save_mapping(name, headers, chosen, current_user(request), clock.now())
            record.columns = chosen
            record.mapping_name = name or (saved.name if saved and saved.columns == chosen else "")
            record.preview = None
            record.save(update_fields=["columns", "mapping_name", "preview"])
            return redirect("import-preview", pk=record.pk)
        except ValidationError as problem:
            message = " ".join(problem.messages)
    samples = sample_rows(record, delimiter)
    rows = [
        {
            "index": index,
            "header": header,
            "chosen": chosen.get(header, "skip"),
            "samples": [row[index] for row in samples if index < len(row) and row[index].strip()],
        }
        for index, header in enumerate(headers)
    ]
    context = {
        "upload": record,
        "rows": rows,
        "fields": columns.FIELDS,
        "saved": saved,
        "error": message,
    }
    return render(request, "imports/columns.html", context, status=400 if message else 200)


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    record = find_upload(request, pk)
    if uploads.is_finished(record) and record.result:
        report = services.Report.from_json(record.result)
        return render(request, "imports/result.html", {"upload": record, "report": report})
    if record.status == UploadStatus.FAILED:
        messages.error(request, (record.result or {}).get("error", "This file was not imported."))
        return redirect("import")
    if not Path(record.path).is_file():
        raise Http404("The uploaded file is gone; upload it again.")
    try:
        source = uploads.source_of(record)
    except services.NeedsMapping:
        return redirect("import-columns", pk=record.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("import")
    report = uploads.preview(record, source, clock.now())
    context = {
        "upload": record,
        "report": report,
        "source": source,
        "more_problems": report.invalid and len(report.problems) >= services.KEEP_PROBLEMS,
    }
    return render(request, "imports/preview.html", context)


@require_POST
@login_required
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    record = find_upload(request, pk)
    user = current_user(request)
    skip_invalid = request.POST.get("skip_invalid") == "on"
    done = uploads.confirm(record, user, clock.now(), upload_dir(), skip_invalid)
    if done.outcome is uploads.Outcome.ALREADY:
        messages.info(request, "This file has been imported already; nothing was done again.")
    elif done.outcome is uploads.Outcome.REFUSED:
        messages.error(request, done.error)
    elif done.outcome is uploads.Outcome.NOTHING_WRITTEN:
        assert done.report is not None
        messages.error(
            request,
            f"{done.report.invalid:,} records have problems, so nothing was imported. Tick "
            "“Import the others” to import the rest, or fix the file and upload it again.",
        )
    else:
        assert done.report is not None
        messages.success(request, f"Imported {record.filename}: {done.report.summary()}")
    return redirect("import-preview", pk=record.pk)


@login_required
def rejects_file(request: HttpRequest, pk: int) -> FileResponse:
    record = find_upload(request, pk)
    where = (record.result or {}).get("rejects_path")
    if not where or not Path(where).is_file():
        raise Http404("There is no rejects file for this import.")
    name = f"{Path(record.filename).stem}.rejects.csv"
    return FileResponse(Path(where).open("rb"), as_attachment=True, filename=name)


@require_POST
@login_required
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    record = find_upload(request, pk)
    if uploads.discard(record):
        messages.info(request, f"{record.filename} was not imported and is deleted.")
    return redirect("import")


urlpatterns = [
    path("customers/import/", upload, name="import"),
    path("customers/import/<int:pk>/", preview, name="import-preview"),
    path("customers/import/<int:pk>/columns/", column_step, name="import-columns"),
    path("customers/import/<int:pk>/confirm/", confirm, name="import-confirm"),
    path("customers/import/<int:pk>/discard/", discard, name="import-discard"),
    path("customers/import/<int:pk>/rejects.csv", rejects_file, name="import-rejects"),
]
