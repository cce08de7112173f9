"""Outgoing e-mail: rendered in the request, sent by a background task so no request waits."""

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django_tasks import task


@task()
def deliver_email(
    *,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    html: str | None = None,
    reply_to: list[str] | None = None,
) -> None:
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=from_email, to=to, reply_to=reply_to
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


def queue_email(message: EmailMessage) -> None:
    """Hand a rendered message to the task queue."""
    html = next(
        (
            content
            for content, mimetype in getattr(message, "alternatives", [])
            if mimetype == "text/html"
        ),
        None,
    )
    if message.content_subtype == "html":
        html = message.body
    deliver_email.enqueue(
        subject=message.subject,
        body=message.body,
        to=list(message.to),
        from_email=message.from_email,
        html=html,
        reply_to=list(message.reply_to) or None,
    )


def send_email(
    *, subject: str, body: str, to: list[str], reply_to: list[str] | None = None
) -> None:
    queue_email(EmailMessage(subject=subject, body=body, to=to, reply_to=reply_to))
