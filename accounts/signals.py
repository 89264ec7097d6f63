from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.dispatch import receiver

from .mfa import record_totp_activation


@receiver(authenticator_added)
def count_activation_as_mfa_use(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.TOTP and request is not None:
        record_totp_activation(request, user, authenticator)
