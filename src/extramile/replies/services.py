"""Answering an inbound message from ExtraMile. Pages (Today, the Inbox, the customer page) call
``send_reply``; it stops the message's clock and records what was said, in one transaction.

- **E-mail** goes through the outbox (``outbox.services.enqueue``, key ``reply:<message id>``),
  from the rep (``"Rep via Company" <outbox address>``, Reply-To the rep, as every personal
  e-mail), to the address the customer wrote from (else their primary address). When the message
  came through the mailbox sync its ``EmailThread`` gives ``In-Reply-To`` and ``References`` and
  the subject ("Re: …"), so the customer's mail program shows one conversation.
- **A call back or a text** sent by hand is logged with what was said.

Either way ``inbox.services.mark_replied`` stops the clock at ``now`` (the moment the rep sent
it): response minutes, breach, the "reply" contact and the closed Today item are what the
"Replied" button gives. A message answered already is refused (``AlreadyReplied``) and nothing is
queued: a double click sends one e-mail.
"""

from __future__ import annotations

import datetime as dt
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import escape, linebreaks

from extramile.accounts.models import Company, User
from extramile.inbox.models import InboundMessage
from extramile.inbox.services import AlreadyReplied, mark_replied
from extramile.outbox.compose import recipient_address, sender_name
from extramile.outbox.models import Kind, OutboxMessage
from extramile.outbox.services import enqueue
from extramile.replies import render
from extramile.replies.models import MAX_TEXT, EmailThread, Reply, ReplyChannel, ReplyTemplate


def thread_of(message: InboundMessage) -> EmailThread | None:
    return EmailThread.objects.filter(message=message).first()


def remember_thread(
    message: InboundMessage, message_id: str, references: list[str], subject: str
) -> EmailThread | None:
    """Keep what a reply needs to thread (called by the mailbox sync for each message it logs)."""
    message_id = message_id.strip().strip("<>")
    if not message_id:
        return None
    chain = " ".join(f"<{ref}>" for ref in references if ref and ref != message_id)
    thread, _ = EmailThread.objects.update_or_create(
        message=message,
        defaults={
            "mail_id": message_id[:998],
            "references": chain,
            "subject": " ".join(subject.split())[:300],
        },
    )
    return thread


def reply_subject(thread: EmailThread | None, company: Company) -> str:
    if thread is not None and thread.subject:
        subject = thread.subject
        return subject if subject.lower().startswith("re:") else f"Re: {subject}"
    return f"Re: your message to {company.name}"


def threading_headers(thread: EmailThread | None) -> dict[str, str]:
    """RFC 5322 3.6.4: In-Reply-To names the message; References its References plus it."""
    if thread is None:
        return {}
    own = f"<{thread.mail_id}>"
    return {"In-Reply-To": own, "References": f"{thread.references} {own}".strip()}


def email_address_for(message: InboundMessage) -> str:
    """Where an e-mail answer goes: the address the customer wrote from, else their own."""
    if message.is_email:
        return message.from_address
    if message.customer is None:
        raise ValidationError("This message came from a phone number: call or text back.")
    return recipient_address(message.customer)


def _clean(text: str) -> str:
    text = (text or "").strip().replace("\r\n", "\n")
    if "\x00" in text:
        raise ValidationError("The reply cannot contain the NUL character.")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Keep the reply under {MAX_TEXT:,} characters.")
    return text


def send_reply(
    message: InboundMessage,
    user: User,
    channel: str,
    text: str,
    now: dt.datetime,
    *,
    subject: str = "",
) -> Reply:
    """Answer ``message`` by ``channel`` (a ``ReplyChannel``) with ``text``; stops its clock."""
    if channel not in ReplyChannel.values:
        raise ValidationError(f"“{channel}” is not a way to reply: use e-mail, call or text.")
    text = _clean(text)
    if "\x00" in subject:
        raise ValidationError("The subject cannot contain the NUL character.")
    if channel == ReplyChannel.EMAIL and not text:
        raise ValidationError("Write the answer first.")
    if message.replied_at is not None:
        raise AlreadyReplied(
            f"This message was answered already, {message.replied_at:%a %d %b %H:%M} UTC."
        )
    with transaction.atomic():
        # Stop the clock first: it refuses (and rolls back) a message answered in the meantime.
        message = mark_replied(message, user, now)
        outbox = None
        if channel == ReplyChannel.EMAIL:
            outbox = _queue_email(message, user, text, subject, now)
            subject = outbox.subject
        return Reply.objects.create(
            message=message,
            channel=channel,
            user=user,
            at=now,
            subject=subject[:300],
            text=text,
            outbox_message=outbox,
        )


def _queue_email(
    message: InboundMessage, user: User, text: str, subject: str, now: dt.datetime
) -> OutboxMessage:
    customer = message.customer
    if customer is not None and customer.do_not_email:
        raise ValidationError(
            f"{customer.full_name} does not want e-mail: call or text back instead."
        )
    company = Company.get()
    thread = thread_of(message)
    signature = render.signature(user, company)
    body = text if signature in text else f"{text}\n\n-- \n{signature}"
    outbox_address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "extramile@localhost"
    html = (
        '<!doctype html><html><body style="font-family:Georgia,serif;font-size:15px;'
        f'line-height:1.5;color:#222;max-width:40em">{linebreaks(escape(body))}</body></html>'
    )
    return enqueue(
        key=f"reply:{message.pk}",
        kind=Kind.OTHER,
        to_address=email_address_for(message),
        subject=" ".join(subject.split()) or reply_subject(thread, company),
        text=body + "\n",
        html=html,
        now=now,
        customer=customer,
        user=user,
        from_address=formataddr((f"{sender_name(user)} via {company.name}", outbox_address)),
        reply_to=user.email or "",
        headers=threading_headers(thread),
    )


# -- templates ----------------------------------------------------------------------------------


def save_template(
    template: ReplyTemplate | None, name: str, subject: str, body: str, now: dt.datetime
) -> ReplyTemplate:
    name = " ".join((name or "").split())
    subject = " ".join((subject or "").split())
    body = (body or "").strip().replace("\r\n", "\n")
    if not name:
        raise ValidationError("Give the template a name.")
    if not body:
        raise ValidationError("Write the template's text.")
    if "\x00" in name + subject + body:
        raise ValidationError("A template cannot contain the NUL character.")
    if len(name) > 100 or len(subject) > 200 or len(body) > MAX_TEXT:
        raise ValidationError("The name, subject or text is too long.")
    render.check(subject)
    render.check(body)
    clash = ReplyTemplate.objects.filter(name__iexact=name)
    if template is not None:
        clash = clash.exclude(pk=template.pk)
    if clash.exists():
        raise ValidationError(f"There is a template called “{name}” already.")
    if template is None:
        template = ReplyTemplate(created_at=now)
    template.name, template.subject, template.body, template.updated_at = name, subject, body, now
    template.save()
    return template


def draft(template: ReplyTemplate, message: InboundMessage, user: User) -> tuple[str, str]:
    """The template's subject and text for this message and rep."""
    values = render.values_for(
        message.customer, user, Company.get(), message.from_name or message.from_address
    )
    return render.fill(template.subject, values), render.fill(template.body, values)
