"""Print the current authenticator-app code for a demo staff user (demo mode only)."""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from accounts.mfa import current_totp_code
from accounts.models import User

EXAMPLE = "make totp EMAIL=parking.officer@example.com"


class Command(BaseCommand):
    help = "Print the current authenticator-app code for a user (demo mode only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        # Each refusal says why and what to do: `make totp` shows only this message.
        if not (settings.DEMO_MODE and settings.DEBUG):
            raise CommandError("totp_code only runs in demo mode.")
        if not email.strip():
            raise CommandError(f"Say whose code to print, for example: {EXAMPLE}")
        try:
            user = User.objects.filter(email__iexact=email.strip()).first()
        except DatabaseError as error:
            raise CommandError("The demo database is not set up: run make demo first.") from error
        if user is None:
            raise CommandError(
                f"No account has the email address {email}. `make demo` lists the demo "
                f"sign-ins; staff have an authenticator app, for example: {EXAMPLE}"
            )
        authenticator = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is None:
            raise CommandError(
                f"{user.email} has no authenticator app set up. The demo staff sign-ins have "
                f"one, for example: {EXAMPLE}"
            )
        self.stdout.write(current_totp_code(decrypt(authenticator.data["secret"])))
