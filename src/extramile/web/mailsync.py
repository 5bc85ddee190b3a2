"""Settings → Mailbox: connect an IMAP mailbox (tried before it is saved), see how its polls
went and what they found, poll it now, disconnect it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from extramile import clock
from extramile.mailsync import connections
from extramile.mailsync.forms import MailboxForm
from extramile.mailsync.imap import MailboxError
from extramile.mailsync.models import MailboxConnection, SeenMessage
from extramile.mailsync.poll import poll
from extramile.web.today import current_user

RECENT = 30


@login_required
def mailbox(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    connection = MailboxConnection.objects.filter(user=user).first()
    form = MailboxForm(connection=connection)
    if request.method == "POST":
        form = MailboxForm(request.POST, connection=connection)
        if form.is_valid():
            try:
                saved = connections.save(user, form.settings(), clock.now())
            except MailboxError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    f"Connected: {saved.username} at {saved.host}. New mail in "
                    f"“{saved.inbox_folder}” and “{saved.sent_folder}” is read from now on.",
                )
                return redirect("mailbox")
    seen = SeenMessage.objects.filter(user=user).select_related("inbound")[:RECENT]
    return render(
        request,
        "mailsync/mailbox.html",
        {"form": form, "connection": connection, "seen": seen},
    )


@login_required
@require_POST
def poll_now(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    connection = MailboxConnection.objects.filter(user=user).select_related("user").first()
    if connection is None:
        messages.error(request, "Connect a mailbox first.")
        return redirect("mailbox")
    result = poll(connection, clock.now())
    if result.skipped:
        messages.info(request, f"Not checked: {result.skipped}.")
    elif result.ok:
        messages.success(request, result.describe().split(": ", 1)[1])
    else:
        messages.error(request, result.error)
    return redirect("mailbox")


@login_required
@require_POST
def disconnect(request: HttpRequest) -> HttpResponse:
    if connections.disconnect(current_user(request)):
        messages.success(
            request, "Disconnected: the mailbox and its password are gone from ExtraMile."
        )
    return redirect("mailbox")


urlpatterns: list[URLPattern] = [
    path("settings/mailbox/", mailbox, name="mailbox"),
    path("settings/mailbox/poll/", poll_now, name="mailbox-poll"),
    path("settings/mailbox/disconnect/", disconnect, name="mailbox-disconnect"),
]
