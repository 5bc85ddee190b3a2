"""Answering an owed reply from ExtraMile (Today, the Inbox, the customer page), and the company's
reply templates (Settings; admins change them)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from extramile import clock
from extramile.agenda.models import Action
from extramile.offline.middleware import mark_problem
from extramile.replies import render as fields
from extramile.replies import services
from extramile.replies.models import Reply, ReplyChannel, ReplyTemplate
from extramile.web.htmx import is_htmx
from extramile.web.inbox import back, message_or_404
from extramile.web.today import answer, current_user


def sent_note(reply: Reply) -> str:
    message = reply.message
    verdict = "late" if message.breached else "in time"
    how = {
        ReplyChannel.EMAIL: "E-mail queued to go out now",
        ReplyChannel.CALL: "Call back logged",
        ReplyChannel.TEXT: "Text logged",
    }[ReplyChannel(reply.channel)]
    return f"{how}; replied {verdict}, {message.response_minutes} business minutes."


@require_POST
@login_required
def answer_message(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    message = message_or_404(request, pk)
    error = note = ""
    try:
        reply = services.send_reply(
            message,
            user,
            request.POST.get("channel", ""),
            request.POST.get("text", ""),
            clock.now(),
            subject=request.POST.get("subject", ""),
        )
    except ValidationError as problem:
        error = " ".join(problem.messages)
    else:
        note = sent_note(reply)
    if request.POST.get("row") == "today":
        action = get_object_or_404(
            Action.objects.select_related("customer", "owner"), key=message.action_key
        )
        return answer(request, action, error=error, note=note)
    if is_htmx(request):
        response = render(
            request, "replies/_sent.html", {"message": message, "error": error, "note": note}
        )
        if error:
            mark_problem(response, error)
        return response
    if error:
        messages.error(request, f"Not sent: {error}")
    else:
        messages.success(request, note)
    return back(request)


@login_required
def draft(request: HttpRequest, pk: int) -> HttpResponse:
    """A template filled in for this message and rep (the form's text box, for htmx)."""
    message = message_or_404(request, pk)
    chosen = request.GET.get("template", "")
    subject = text = ""
    if chosen.isdigit():
        template = get_object_or_404(ReplyTemplate, pk=int(chosen))
        subject, text = services.draft(template, message, current_user(request))
    return render(request, "replies/_draft.html", {"subject": subject, "text": text})


@login_required
def templates_page(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Everyone reads the templates; an admin adds, changes and deletes them."""
    user = current_user(request)
    editing = get_object_or_404(ReplyTemplate, pk=pk) if pk is not None else None
    values = {
        "name": editing.name if editing else "",
        "subject": editing.subject if editing else "",
        "body": editing.body if editing else "",
    }
    status = 200
    if request.method == "POST":
        if not user.is_admin_role:
            raise PermissionDenied("Only an admin changes the reply templates.")
        values = {name: request.POST.get(name, "") for name in values}
        try:
            saved = services.save_template(
                editing, values["name"], values["subject"], values["body"], clock.now()
            )
        except ValidationError as problem:
            messages.error(request, "Not saved: " + " ".join(problem.messages))
            status = 422
        else:
            messages.success(request, f"Saved the template “{saved.name}”.")
            return redirect("reply-templates")
    context = {
        "templates": ReplyTemplate.objects.all(),
        "editing": editing,
        "values": values,
        "fields": fields.FIELDS,
        "can_edit": user.is_admin_role,
    }
    return render(request, "replies/templates.html", context, status=status)


@require_POST
@login_required
def delete_template(request: HttpRequest, pk: int) -> HttpResponse:
    if not current_user(request).is_admin_role:
        raise PermissionDenied("Only an admin changes the reply templates.")
    template = get_object_or_404(ReplyTemplate, pk=pk)
    template.delete()
    messages.success(request, f"Deleted the template “{template.name}”.")
    return redirect("reply-templates")


urlpatterns: list[URLPattern] = [
    path("inbox/<int:pk>/answer/", answer_message, name="inbox-answer"),
    path("inbox/<int:pk>/draft/", draft, name="inbox-draft"),
    path("settings/replies/", templates_page, name="reply-templates"),
    path("settings/replies/<int:pk>/", templates_page, name="reply-template"),
    path("settings/replies/<int:pk>/delete/", delete_template, name="reply-template-delete"),
]
