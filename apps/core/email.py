"""Outgoing e-mail: rendered in the request, sent by a background task so no request waits."""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
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


def absolute_url(path: str) -> str:
    """A link for an e-mail: paths are completed with the site's address, URLs kept."""
    if path.startswith("/"):
        return settings.SITE_URL.rstrip("/") + path
    return path


def send_templated_email(
    *,
    to: Iterable[str],
    subject: str,
    template: str,
    context: dict,
    subject_params: dict | None = None,
    reply_to: list[str] | None = None,
) -> int:
    """Render one e-mail and queue a copy to each address; returns how many were queued.

    Rendered in the platform's default language: people have no language setting yet, and a
    message must not depend on the language of whoever happened to trigger it. Pass subjects
    lazily (gettext_lazy) so they are translated here."""
    addresses = sorted({address for address in to if address})
    if not addresses:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(template, context)
        subject = str(subject) % subject_params if subject_params else str(subject)
    for address in addresses:
        send_email(subject=subject, body=body, to=[address], reply_to=reply_to)
    return len(addresses)
