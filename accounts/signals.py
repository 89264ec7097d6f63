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
