from allauth.mfa.models import Authenticator
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import home
from .roles import is_staff_member


@login_required
def account_home(request):
    user = request.user
    return render(
        request,
        "accounts/home.html",
        {
            "sections": home.sections_for(user),
            "is_staff_member": is_staff_member(user),
            "has_mfa": Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists(),
        },
    )
