from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from accounts.roles import ROLES, is_staff_member, role_names
from records.models import SYNC_VIEW


@login_required
def staff_home(request):
    """The staff landing page. The MFA middleware has already checked the authenticator app."""
    if not is_staff_member(request.user):
        raise PermissionDenied
    roles = [{"name": name, "description": ROLES[name][0]} for name in role_names(request.user)]
    return render(
        request,
        "casework/staff_home.html",
        {"roles": roles, "can_view_syncs": request.user.has_perm(SYNC_VIEW)},
    )
