import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives


# Takes the rendered message rather than ids: emails are rendered once, where the request is.
@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    max_retries=5,
)
def send_email(*, to: list[str], subject: str, body: str, html: str | None = None) -> None:
    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
