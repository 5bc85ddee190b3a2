"""An upload's life: ``uploaded`` → ``importing`` → ``done`` (or back to ``uploaded`` when the
import is refused or writes nothing), or ``failed`` when the file cannot be read at all.

The page (``web/imports.py``) shows each step; the moves are here. The confirm imports exactly
the file previewed (its SHA-256), and only once: ``uploaded`` → ``importing`` is one conditional
UPDATE, so a double submit finds nothing to claim.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError

from extramile.accounts.models import User
from extramile.imports import services
from extramile.imports.models import Upload, UploadStatus


class Outcome(enum.Enum):
    ALREADY = "already"  # claimed by an earlier confirm: nothing done again
    REFUSED = "refused"  # the owner, the file or its columns refused it: back to uploaded
    NOTHING_WRITTEN = "nothing"  # every record with a problem and "import the others" unticked
    DONE = "done"


@dataclass
class Confirmed:
    outcome: Outcome
    report: services.Report | None = None
    error: str = ""


def source_of(record: Upload) -> services.Source:
    return services.open_source(Path(record.path), record.columns, record.mapping_name)


def fail(record: Upload, error: ValidationError) -> None:
    """The file cannot be read: ``failed``, with the reason kept for the page."""
    record.status = UploadStatus.FAILED
    record.result = {"error": " ".join(error.messages)}
    record.save(update_fields=["status", "result"])


def preview(record: Upload, source: services.Source, now: dt.datetime) -> services.Report:
    """The dry run's report, counted once and kept on the upload."""
    if record.preview is None:
        report = services.run_import(source, record.owner, now=now, dry_run=True)
        record.preview = report.as_json()
        record.save(update_fields=["preview"])
    return services.Report.from_json(record.preview)


def is_finished(record: Upload) -> bool:
    """Imported (or being imported) with a result to show."""
    return record.status in (UploadStatus.DONE, UploadStatus.IMPORTING) and bool(record.result)


def confirm(
    record: Upload, user: User, now: dt.datetime, rejects_dir: Path, skip_invalid: bool
) -> Confirmed:
    """Import the previewed file once, for ``user`` into ``record.owner``'s book."""
    claimed = Upload.objects.filter(pk=record.pk, status=UploadStatus.UPLOADED).update(
        status=UploadStatus.IMPORTING
    )
    if not claimed:
        return Confirmed(Outcome.ALREADY)
    try:
        services.check_owner(user, record.owner)
        if services.file_digest(Path(record.path)) != record.sha256:
            raise ValidationError("The stored file changed since its preview; upload it again.")
        report = services.run_import(
            source_of(record),
            record.owner,
            now=now,
            skip_invalid=skip_invalid,
            rejects_path=rejects_dir / f"{Path(record.path).stem}.rejects.csv",
        )
    except (ValidationError, PermissionDenied, services.NeedsMapping, OSError) as error:
        Upload.objects.filter(pk=record.pk).update(status=UploadStatus.UPLOADED)
        return Confirmed(Outcome.REFUSED, error=" ".join(getattr(error, "messages", [str(error)])))
    if not report.written:
        Upload.objects.filter(pk=record.pk).update(
            status=UploadStatus.UPLOADED, preview=report.as_json()
        )
        return Confirmed(Outcome.NOTHING_WRITTEN, report)
    Upload.objects.filter(pk=record.pk).update(
        status=UploadStatus.DONE, result=report.as_json(), finished_at=now
    )
    Path(record.path).unlink(missing_ok=True)  # imported: the copy of the file is not kept
    return Confirmed(Outcome.DONE, report)


def discard(record: Upload) -> bool:
    """Delete an upload not imported (and its file); an imported one stays."""
    if record.status != UploadStatus.UPLOADED:
        return False
    Path(record.path).unlink(missing_ok=True)
    record.delete()
    return True
