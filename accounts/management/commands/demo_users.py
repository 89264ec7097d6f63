"""Create the demo sign-ins: one resident and one member of staff per role.

Demo mode only. Staff get a fixed authenticator-app secret so a newcomer can pass the staff
MFA step: add it to an authenticator app, or run `make totp EMAIL=...` for the current code."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.roles import ROLES

DEMO_PASSWORD = "demo-password-1"  # noqa: S105 (published on purpose: demo only)  # nosec B105
# Fake, published secret for demo staff only (base32). Never used outside demo mode.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105  # nosec B105
RESIDENT_EMAIL = "resident@example.com"


def staff_email(role: str) -> str:
    return f"{role.replace('_', '.')}@example.com"


def demo_user(email: str, *, is_staff: bool = False) -> User:
    """A demo sign-in: the user with the demo password (set when made) and a verified primary
    address. The other demo commands make their residents with it too."""
    user, created = User.objects.get_or_create(email=email, defaults={"is_staff": is_staff})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


class Command(BaseCommand):
    help = "Create demo sign-ins (a resident and one staff user per role). Demo mode only."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet",
            action="store_true",
            help="Create the sign-ins without printing them (make demo prints them last)",
        )

    def handle(self, *args, **options):
        if not (settings.DEMO_MODE and settings.DEBUG):
            raise CommandError(
                "demo_users only runs in demo mode (no DATABASE_URL, DJANGO_DEBUG on): "
                "it creates sign-ins with published passwords."
            )
        with transaction.atomic():
            demo_user(RESIDENT_EMAIL)
            for role in ROLES:
                user = demo_user(staff_email(role), is_staff=True)
                user.groups.set([Group.objects.get(name=role)])
                if not Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists():
                    TOTP.activate(user, DEMO_TOTP_SECRET)
                    RecoveryCodes.activate(user)
        if options["quiet"]:
            return
        self.stdout.write(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD})")
        self.stdout.write(f"  {'resident:':23}{RESIDENT_EMAIL}")
        for role in ROLES:
            self.stdout.write(f"  {role + ':':23}{staff_email(role)}")
        self.stdout.write(
            "\nStaff are asked for an authenticator-app code. Either add this secret to an app "
            f"(Google Authenticator, Microsoft Authenticator…): {DEMO_TOTP_SECRET}\n"
            "or print the current code with:  make totp EMAIL=parking.officer@example.com\n"
        )
