from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .mfa import session_used_mfa
from .roles import is_staff_member

# Every staff page lives under /staff/, the Django admin (/staff/admin/) included.
STAFF_PATH_PREFIX = "/staff/"


class StaffMFARequiredMiddleware:
    """Staff must set up an authenticator app, and have used it in this session, before any
    staff page opens. Residents are not affected (they may turn MFA on if they wish)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(STAFF_PATH_PREFIX) and is_staff_member(request.user):
            has_totp = Authenticator.objects.filter(
                user=request.user, type=Authenticator.Type.TOTP
            ).exists()
            if not has_totp:
                messages.warning(
                    request,
                    "Staff must set up an authenticator app before using staff pages.",
                )
                return redirect("mfa_activate_totp")
            if not session_used_mfa(request):
                # Signed in before the app was set up, e.g. in an old session: prove it now.
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return self.get_response(request)
