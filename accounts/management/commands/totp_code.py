"""Print the current authenticator-app code for a demo staff user (demo mode only)."""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.mfa import current_totp_code


class Command(BaseCommand):
    help = "Print the current authenticator-app code for a user (demo mode only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not (settings.DEMO_MODE and settings.DEBUG):
            raise CommandError("totp_code only runs in demo mode.")
        authenticator = Authenticator.objects.filter(
            user__email__iexact=email, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is None:
            raise CommandError(f"{email} has no authenticator app set up.")
        self.stdout.write(current_totp_code(decrypt(authenticator.data["secret"])))
