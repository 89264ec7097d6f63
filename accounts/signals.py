from allauth.account.models import EmailAddress
from allauth.account.signals import password_reset
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .mfa import record_totp_activation
from .middleware import note_staff_member


@receiver(authenticator_added)
def count_activation_as_mfa_use(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.TOTP and request is not None:
        record_totp_activation(request, user, authenticator)


@receiver(user_logged_in)
def note_whether_staff(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        note_staff_member(request, user)


@receiver(password_reset)
def confirm_the_address_the_reset_link_went_to(sender, request, user, **kwargs):
    # The link was emailed to the account's one address, so following it confirms the address:
    # a resident whose account the contact centre made is not asked to confirm it again.
    addresses = EmailAddress.objects.filter(user=user)
    if len(addresses) == 1:
        addresses.update(verified=True)
