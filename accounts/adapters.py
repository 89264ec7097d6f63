from allauth.account.adapter import DefaultAccountAdapter

from .services import email_send


class AccountAdapter(DefaultAccountAdapter):
    """allauth customisations for the portal."""

    def send_mail(self, template_prefix, email, context):
        # Render here (the context holds objects a task cannot carry), send from a Celery worker
        # so a slow mail server never holds up the resident's page.
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (body for body, kind in getattr(message, "alternatives", []) if kind == "text/html"),
            None,
        )
        email_send(to=list(message.to), subject=message.subject, body=message.body, html=html)
