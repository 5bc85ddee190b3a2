"""Uploads are kept only while someone works through them: an upload left unfinished (or
finished) for a week is forgotten, with its copy of the file and its preview (both hold personal
data the book may since have erased)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from extramile.imports.models import Upload, UploadStatus

KEEP = dt.timedelta(days=7)


def forget_old_uploads(now: dt.datetime) -> int:
    """Delete uploads created more than ``KEEP`` before ``now`` (not one being imported right
    now) and their files; return how many."""
    old = Upload.objects.filter(created_at__lt=now - KEEP).exclude(
        status=UploadStatus.IMPORTING, finished_at__isnull=True
    )
    count = 0
    for upload in old:
        Path(upload.path).unlink(missing_ok=True)
        upload.delete()
        count += 1
    return count
