"""What the import keeps: column mappings saved by name, and the web upload between its steps."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ColumnMapping(models.Model):
    """A file's columns → our fields, saved by name and offered again for files with the same
    headers (``headers_key`` is a digest of the normalised header row)."""

    name = models.CharField(max_length=100, unique=True)
    headers_key = models.CharField(max_length=64, db_index=True)
    headers = models.JSONField(default=list)
    columns = models.JSONField(default=dict, help_text="{column header: field}")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UploadStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    IMPORTING = "importing", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Not imported"


class Upload(models.Model):
    """A file uploaded on the Import page, kept on disk between upload, mapping, preview and
    confirm. The confirm imports exactly this file (its SHA-256 is checked) and only once (the
    status moves from uploaded to importing in one conditional UPDATE)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Whose book the customers go into.",
    )
    filename = models.CharField(max_length=255)
    path = models.CharField(max_length=500)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=10)  # csv / vcard
    columns = models.JSONField(null=True, blank=True, help_text="The mapping chosen, if any.")
    mapping_name = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=10, choices=UploadStatus.choices, default=UploadStatus.UPLOADED
    )
    preview = models.JSONField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename
