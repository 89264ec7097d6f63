from allauth.account.adapter import DefaultAccountAdapter
from django import forms

from .models import User
from .services import email_send

# What the account's email column holds, and the most an email address may be (RFC 5321).
# Django's form field accepts up to 320 characters; allauth would then cut the address short
# when saving it, making an account nobody can sign in to.
EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length


class AccountAdapter(DefaultAccountAdapter):
    """allauth customisations for the portal."""

    def clean_email(self, email):
        # allauth calls this for every address a person types: sign-up, adding an address,
        # password reset.
        if len(email) > EMAIL_MAX_LENGTH:
            raise forms.ValidationError(
                f"Email address must be {EMAIL_MAX_LENGTH} characters or fewer"
            )
        return super().clean_email(email)

    def send_mail(self, template_prefix, email, context):
        # Render here (the context holds objects a task cannot carry), send from a Celery worker
        # so a slow mail server never holds up the resident's page.
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (body for body, kind in getattr(message, "alternatives", []) if kind == "text/html"),
            None,
        )
        email_send(to=list(message.to), subject=message.subject, body=message.body, html=html)
