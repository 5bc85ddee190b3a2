"""The mailbox form: server, TLS mode, account and folders. The password is never shown back."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from extramile.mailsync.connections import MailboxSettings
from extramile.mailsync.imap import allowed_host, has_control, is_loopback, not_allowed
from extramile.mailsync.models import DEFAULT_PORTS, MailboxConnection, Security

HOST = re.compile(r"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|[0-9a-fA-F:]+)$")


def no_control(text: str) -> str:
    if has_control(text):
        raise forms.ValidationError("Line breaks and control characters are not allowed here.")
    return text


class MailboxForm(forms.Form):
    host = forms.CharField(
        label="IMAP server",
        max_length=255,
        help_text="For example imap.gmail.com or outlook.office365.com.",
    )
    security = forms.ChoiceField(label="Encryption", choices=Security.choices, initial=Security.TLS)
    port = forms.IntegerField(
        min_value=1, max_value=65535, required=False, help_text="Blank: 993 for TLS, 143 otherwise."
    )
    username = forms.CharField(max_length=255, help_text="Usually your e-mail address.")
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        required=False,
        help_text="An app password where your provider offers them. Stored encrypted.",
    )
    inbox_folder = forms.CharField(label="Inbox folder", max_length=255, initial="INBOX")
    sent_folder = forms.CharField(
        label="Sent folder",
        max_length=255,
        required=False,
        help_text="Blank: found for you (the folder the server marks as Sent).",
    )

    def __init__(self, *args: Any, connection: MailboxConnection | None = None, **kwargs: Any):
        self.connection = connection
        if connection is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "host": connection.host,
                "security": connection.security,
                "port": connection.port,
                "username": connection.username,
                "inbox_folder": connection.inbox_folder,
                "sent_folder": connection.sent_folder,
            }
        super().__init__(*args, **kwargs)
        if connection is not None:
            self.fields["password"].help_text = "Leave blank to keep the stored password."

    def clean_host(self) -> str:
        host = self.cleaned_data["host"].strip()
        if "://" in host or "/" in host or " " in host:
            raise forms.ValidationError("Give just the server's name, e.g. imap.example.com.")
        if ":" in host and not host.startswith("[") and host.count(":") == 1:
            raise forms.ValidationError("Put the port in the Port field, not after the name.")
        if not HOST.match(host):
            raise forms.ValidationError(f"“{host}” is not a server name.")
        if not allowed_host(host):
            raise forms.ValidationError(not_allowed(host))
        return host

    def clean_username(self) -> str:
        return no_control(self.cleaned_data["username"].strip())

    def clean_inbox_folder(self) -> str:
        return no_control(self.cleaned_data["inbox_folder"].strip()) or "INBOX"

    def clean_sent_folder(self) -> str:
        return no_control(self.cleaned_data["sent_folder"].strip())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        host, security = data.get("host"), data.get("security")
        if host and security == Security.NONE and not is_loopback(host):
            self.add_error(
                "security",
                "Without encryption the password would cross the network in clear: choose TLS "
                "or STARTTLS (only a server on this machine may go without).",
            )
        if self.connection is None and not data.get("password"):
            self.add_error("password", "Enter the mailbox's password.")
        return data

    def settings(self) -> MailboxSettings:
        data = self.cleaned_data
        return MailboxSettings(
            host=data["host"],
            port=data["port"] or DEFAULT_PORTS[Security(data["security"])],
            security=data["security"],
            username=data["username"].strip(),
            password=data["password"] or None,
            inbox_folder=data["inbox_folder"],
            sent_folder=data["sent_folder"].strip(),
        )
