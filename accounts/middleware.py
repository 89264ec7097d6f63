import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
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
            # Given a role since signing in: from now on this session is a staff one (the idle
            # timeout, the header), without waiting for the next sign-in.
            if request.session.get(STAFF_SESSION_KEY) is not True:
                request.session[STAFF_SESSION_KEY] = True  # (a write saves the session)
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


# Session keys: whether the signed-in person is staff (noted at sign-in, so residents' pages ask
# the database nothing more), and when a member of staff last made a request (epoch seconds).
STAFF_SESSION_KEY = "portal_staff_member"
LAST_SEEN_SESSION_KEY = "portal_staff_last_seen"
# The last-seen time is written at most this often (not on every request), so a session ends
# between STAFF_IDLE_TIMEOUT and STAFF_IDLE_TIMEOUT plus this many seconds after the last request.
LAST_SEEN_RESOLUTION = 60


def note_staff_member(request, user) -> None:
    """At sign-in: remember in the session whether this is a member of staff."""
    request.session[STAFF_SESSION_KEY] = is_staff_member(user)
    request.session.pop(LAST_SEEN_SESSION_KEY, None)


def staff_session(request) -> bool:
    """Whether the person signed in is a member of staff, as noted in the session at sign-in:
    every page asks (the header, the idle timeout), and the session is read anyway, so no page
    asks the database. A role given or taken away shows in the header from the next sign-in;
    what staff may do is always checked against their permissions, never this."""
    if not request.user.is_authenticated:
        return False
    staff = request.session.get(STAFF_SESSION_KEY)
    if staff is None:  # a session from before this was noted at sign-in
        staff = request.session[STAFF_SESSION_KEY] = is_staff_member(request.user)
    return staff


class StaffIdleTimeoutMiddleware:
    """A member of staff's session ends after STAFF_IDLE_TIMEOUT seconds (30 minutes) without a
    request: a contact centre screen left open shows no resident's data to the next person.
    Residents keep the usual session (until the browser closes, or SESSION_COOKIE_AGE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if staff_session(request):
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_SESSION_KEY)
            if last_seen is not None and now - last_seen > settings.STAFF_IDLE_TIMEOUT:
                logout(request)
                minutes = settings.STAFF_IDLE_TIMEOUT // 60
                messages.info(
                    request,
                    f"You were signed out because you did nothing for {minutes} minutes. "
                    "Sign in again to carry on.",
                )
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('account_login')}?{query}")
            if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN_SESSION_KEY] = now
        return self.get_response(request)
